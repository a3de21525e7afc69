import type { DynamoDBRecord } from "aws-lambda";
import { TRANSITION_STREAM_FILTERS } from "#shared/adapters/dynamodb/entities/transition";
import { backoff, type RetryPolicy } from "#shared/application/pacing/retry";
import type { EventPattern } from "#shared/bus/summary-schemas";
import { describeError } from "./describe-error";
import { matchesPattern } from "./event-pattern";
import { type CheckpointFile, compareSequenceNumbers, type ShardCheckpoints } from "./stream-checkpoint";

/** What one Pipe (one STREAM_PUBLICATIONS entry) does with the records the stream reader hands it. */
export interface StreamPipeOptions {
  /** This pipe's own position in the stream. */
  checkpoint: CheckpointFile;
  /** Takes a batch of records that passed the filter. Throwing retries the batch. */
  deliver: (records: DynamoDBRecord[]) => Promise<void>;
  /** Receives a batch that failed every attempt; the pipe then moves past it. */
  onFailedBatch: (records: DynamoDBRecord[], reason: string, attempts: number) => Promise<void>;
  /** The Pipe's filters, any of which lets a record through (a STREAM_PUBLICATIONS entry's); by default the transition Pipe's. */
  filters?: readonly EventPattern[];
  /** Most records per delivery. */
  batchSize?: number;
  retry?: RetryPolicy;
  /** Where this pipe's lines go; by default the reader's log. */
  log?: (line: string) => void;
}

export const DEFAULT_DELIVERY_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, capMs: 5_000 };

/** One stream record as the reader hands it to every pipe: converted once, and only as far as a pipe needs. */
export interface PageRecord {
  readonly sequenceNumber: string | undefined;
  /** The record as the Pipe's filter sees it (see toPipeRecordView). */
  readonly view: DynamoDBRecord;
  /** The record in the Pipe's shape, converted on first use. */
  pipeRecord(): DynamoDBRecord;
}

/** What the reader shares with its pipes: its stop flag, and a sleep that a stop cuts short. */
export interface ReaderControl {
  stopping(): boolean;
  sleep(ms: number): Promise<void>;
  log: (line: string) => void;
}

export interface StreamPipe {
  /** Where this pipe got to in each shard (its checkpoint file's content). */
  readonly positions: ShardCheckpoints;
  /**
   * Filters a page of one shard and delivers it in batches, skipping what this pipe already passed and
   * checkpointing after each batch. False when stopped midway (the rest stays unacknowledged).
   */
  handOn(shardId: string, page: readonly PageRecord[]): Promise<boolean>;
  /** Records that this pipe finished the shard. */
  markClosed(shardId: string): Promise<void>;
  /** Drops the positions of shards the stream no longer lists (past its retention). */
  keepOnly(shardIds: ReadonlySet<string>): void;
}

/**
 * One Pipe's side of the local stream reader: its filter, batches, retries, dead letters and checkpoint.
 * The checkpoint moves only after a batch is delivered (or dead-lettered), so a restart neither repeats
 * what was sent nor skips what was not, whatever the other pipes reading the same pages got to.
 */
export async function openStreamPipe(
  options: StreamPipeOptions,
  streamArn: string,
  control: ReaderControl,
): Promise<StreamPipe> {
  const { checkpoint } = options;
  const filters = options.filters ?? TRANSITION_STREAM_FILTERS;
  const batchSize = options.batchSize ?? 10;
  const retry = options.retry ?? DEFAULT_DELIVERY_RETRY;
  const log = options.log ?? control.log;
  const positions = await checkpoint.load(streamArn);

  /** The page's records after this pipe's position: a restart reads from the earliest pipe's. */
  function unseen(shardId: string, page: readonly PageRecord[]): readonly PageRecord[] {
    const after = positions[shardId]?.sequenceNumber;
    if (after === undefined) return page;
    return page.filter(
      (record) => record.sequenceNumber === undefined || compareSequenceNumbers(record.sequenceNumber, after) > 0,
    );
  }

  async function handOn(shardId: string, page: readonly PageRecord[]): Promise<boolean> {
    if (positions[shardId]?.closed) return true;
    const records = unseen(shardId, page);
    let batch: DynamoDBRecord[] = [];
    for (const [index, record] of records.entries()) {
      if (filters.some((filter) => matchesPattern(filter, record.view))) batch.push(record.pipeRecord());
      const last = index === records.length - 1;
      if (batch.length < batchSize && !last) continue;
      if (batch.length > 0 && !(await deliverWithRetry(batch))) return false;
      batch = [];
      positions[shardId] = { sequenceNumber: record.sequenceNumber };
      await checkpoint.save(streamArn, positions);
    }
    return true;
  }

  async function deliverWithRetry(batch: DynamoDBRecord[]): Promise<boolean> {
    let reason = "";
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (attempt > 1) await control.sleep(backoff(retry, attempt - 2));
      if (control.stopping()) return false;
      try {
        await options.deliver(batch);
        return true;
      } catch (error) {
        if (control.stopping()) return false;
        reason = describeError(error);
        log(`stream: delivering ${batch.length} record(s) failed (attempt ${attempt} of ${retry.attempts}): ${reason}`);
      }
    }
    await options.onFailedBatch(batch, reason, retry.attempts);
    return true;
  }

  return {
    positions,
    handOn,
    async markClosed(shardId) {
      if (positions[shardId]?.closed) return;
      positions[shardId] = { ...positions[shardId], closed: true };
      await checkpoint.save(streamArn, positions);
    },
    keepOnly(shardIds) {
      for (const id of Object.keys(positions)) if (!shardIds.has(id)) delete positions[id];
    },
  };
}
