import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";

/** An event a target could not take after every retry, kept with the reason like an SQS dead-letter queue. */
export interface DeadLetter {
  at: string;
  /** The rule (or the pipe) that was delivering. */
  rule: string;
  /** The function that failed. */
  target: string;
  attempts: number;
  /** The last error, `Name: message`. */
  reason: string;
  /** The event or records exactly as the target was given them, so they can be replayed. */
  payload: unknown;
}

/**
 * A dead-letter store in a JSON-lines file: one entry a line, appended, never rewritten. Its entries carry
 * the people the alerts were about: the file is its owner's alone, and each entry is on disk before add
 * resolves (a dead letter is the last copy of an alert).
 */
export interface DeadLetterFile {
  readonly path: string;
  add(entry: DeadLetter): Promise<void>;
  list(): Promise<DeadLetter[]>;
}

export function deadLetterFile(path: string): DeadLetterFile {
  return {
    path,
    async add(entry) {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(path, "a", 0o600);
      try {
        await handle.appendFile(`${JSON.stringify(entry)}\n`, "utf8");
        await handle.datasync();
      } finally {
        await handle.close();
      }
    },
    async list() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
      // A line cut short by a crash mid-append is skipped rather than hiding every other entry.
      return text.split("\n").flatMap((line) => {
        if (!line.trim()) return [];
        try {
          return [JSON.parse(line) as DeadLetter];
        } catch {
          return [];
        }
      });
    },
  };
}
