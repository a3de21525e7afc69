import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** How far a pipe got in one shard: the last record handed on, and whether the shard is finished. */
export interface ShardCheckpoint {
  sequenceNumber?: string;
  closed?: boolean;
}

export type ShardCheckpoints = Record<string, ShardCheckpoint>;

/** A pipe's position in a stream, kept in a JSON file so a restart resumes where it stopped. */
export interface CheckpointFile {
  readonly path: string;
  /** The shards' positions in this stream; none when the file is missing or is for another stream. */
  load(streamArn: string): Promise<ShardCheckpoints>;
  save(streamArn: string, shards: ShardCheckpoints): Promise<void>;
}

export function checkpointFile(path: string): CheckpointFile {
  return {
    path,
    async load(streamArn) {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
        throw error;
      }
      let saved: { streamArn?: unknown; shards?: unknown };
      try {
        saved = JSON.parse(text) as typeof saved;
      } catch {
        // Refuse rather than start over: starting over would send every alert still in the stream again.
        throw new Error(`the stream checkpoint ${path} is not valid JSON; fix or delete it`);
      }
      // Another stream ARN means the table was recreated: its new stream starts from the beginning.
      if (saved.streamArn !== streamArn || typeof saved.shards !== "object" || saved.shards === null) return {};
      return saved.shards as ShardCheckpoints;
    },
    async save(streamArn, shards) {
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so a crash leaves the old checkpoint or the new one, never half of one.
      const partial = `${path}.${process.pid}.tmp`;
      await writeFile(partial, `${JSON.stringify({ streamArn, shards }, null, 2)}\n`, "utf8");
      await rename(partial, path);
    },
  };
}

/**
 * Orders two sequence numbers of one shard. They are decimal strings of up to 40 digits, too long for a
 * number, and DynamoDB Local pads them with zeros; anything else compares as text.
 */
export function compareSequenceNumbers(left: string, right: string): number {
  if (/^\d+$/.test(left) && /^\d+$/.test(right)) {
    const [a, b] = [BigInt(left), BigInt(right)];
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return left < right ? -1 : left > right ? 1 : 0;
}
