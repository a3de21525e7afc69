import { mkdir, open, readFile, rename } from "node:fs/promises";
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
  /**
   * Removes these entries (each once, as list() gave them), once they were redriven: the file is written
   * anew beside the old one and renamed over it, so a crash leaves one or the other whole. Adds wait.
   */
  remove(entries: readonly DeadLetter[]): Promise<void>;
}

export function deadLetterFile(path: string): DeadLetterFile {
  // Adds and removals one at a time: a removal rewrites the file, an add in between would be lost.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = turn.then(work, work);
    turn = next.catch(() => {});
    return next;
  };
  return {
    path,
    add: (entry) => inTurn(() => append(entry)),
    list: () => readEntries(),
    remove: (entries) =>
      inTurn(async () => {
        const pending = entries.map((entry) => JSON.stringify(entry));
        const kept = (await readEntries()).filter((entry) => {
          const at = pending.indexOf(JSON.stringify(entry));
          if (at === -1) return true;
          pending.splice(at, 1);
          return false;
        });
        const next = `${path}.next`;
        const handle = await open(next, "w", 0o600);
        try {
          await handle.writeFile(kept.map((entry) => `${JSON.stringify(entry)}\n`).join(""), "utf8");
          await handle.datasync();
        } finally {
          await handle.close();
        }
        await rename(next, path);
      }),
  };

  async function append(entry: DeadLetter): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, "a", 0o600);
    try {
      await handle.appendFile(`${JSON.stringify(entry)}\n`, "utf8");
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async function readEntries(): Promise<DeadLetter[]> {
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
  }
}
