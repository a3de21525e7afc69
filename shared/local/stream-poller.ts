import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  type Shard,
  TrimmedDataAccessException,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBRecord } from "aws-lambda";
import { type EventPattern, TRANSITION_STREAM_FILTERS } from "../application/lead-stage-changed";
import { backoff, type RetryPolicy } from "../application/retry";
import { describeError } from "./describe-error";
import { matchesPattern } from "./event-pattern";
import { toPipeRecord } from "./pipe-record";
import type { CheckpointFile, ShardCheckpoints } from "./stream-checkpoint";

export interface StreamPollerOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  checkpoint: CheckpointFile;
  /** Takes a batch of records that passed the filter. Throwing retries the batch. */
  deliver: (records: DynamoDBRecord[]) => Promise<void>;
  /** Receives a batch that failed every attempt; the poller then moves past it. */
  onFailedBatch: (records: DynamoDBRecord[], reason: string, attempts: number) => Promise<void>;
  /** The Pipe's filters, any of which lets a record through (a STREAM_PUBLICATIONS entry's); by default the transition Pipe's. */
  filters?: readonly EventPattern[];
  pollIntervalMs?: number;
  /** Most records per delivery. */
  batchSize?: number;
  retry?: RetryPolicy;
  region: string;
  log: (line: string) => void;
}

export interface StreamPoller {
  /** Stops after the batch in hand; a batch not yet delivered stays unacknowledged for the next start. */
  stop(): Promise<void>;
}

export const DEFAULT_DELIVERY_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, capMs: 5_000 };
const SHARD_REFRESH_MS = 5_000;
const RECORDS_PER_READ = 1_000;

interface ShardState {
  id: string;
  parentId?: string;
  iterator?: string;
}

/**
 * Reads a table's stream the way one EventBridge Pipe does (the local runtime starts one poller per
 * entry of STREAM_PUBLICATIONS, each with that entry's filters and its own checkpoint): every shard, parents before their children,
 * from the oldest record on first start and from the checkpoint afterwards. Records that pass the filter
 * go to `deliver` in batches; the checkpoint moves only after a batch is delivered (or dead-lettered),
 * so a restart neither repeats what was sent nor skips what was not.
 */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { client, streamArn, checkpoint, log } = options;
  const filters = options.filters ?? TRANSITION_STREAM_FILTERS;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const batchSize = options.batchSize ?? 10;
  const retry = options.retry ?? DEFAULT_DELIVERY_RETRY;
  const positions: ShardCheckpoints = await checkpoint.load(streamArn);
  const shards = new Map<string, ShardState>();
  let stopping = false;
  let wake: (() => void) | undefined;
  let nextRefresh = 0;
  let lastProblem = "";

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve();
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function refreshShards(): Promise<void> {
    const listed: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await client.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      listed.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    const ids = new Set<string>();
    for (const shard of listed) {
      if (!shard.ShardId) continue;
      ids.add(shard.ShardId);
      if (!shards.has(shard.ShardId)) {
        shards.set(shard.ShardId, {
          id: shard.ShardId,
          ...(shard.ParentShardId && { parentId: shard.ParentShardId }),
        });
      }
    }
    // Shards past the stream's retention are gone for good; so are their positions.
    for (const id of [...shards.keys()]) if (!ids.has(id)) shards.delete(id);
    for (const id of Object.keys(positions)) if (!ids.has(id)) delete positions[id];
  }

  /** Open shards whose parent is finished or gone: a child holds records newer than its parent's. */
  function readableShards(): ShardState[] {
    return [...shards.values()]
      .filter((shard) => !positions[shard.id]?.closed)
      .filter((shard) => !shard.parentId || !shards.has(shard.parentId) || positions[shard.parentId]?.closed)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async function iteratorFor(shard: ShardState): Promise<string | undefined> {
    const sequenceNumber = positions[shard.id]?.sequenceNumber;
    const request = sequenceNumber
      ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER" as const, SequenceNumber: sequenceNumber }
      : { ShardIteratorType: "TRIM_HORIZON" as const };
    try {
      const response = await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.id, ...request }),
      );
      return response.ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException) || !sequenceNumber) throw error;
      log(`stream: records after the checkpoint in shard ${shard.id} expired; reading from the oldest kept`);
      positions[shard.id] = {};
      return iteratorFor(shard);
    }
  }

  async function readShard(shard: ShardState): Promise<void> {
    shard.iterator ??= await iteratorFor(shard);
    if (!shard.iterator) return markClosed(shard);
    let page: { Records?: _Record[]; NextShardIterator?: string };
    try {
      page = await client.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: RECORDS_PER_READ }));
    } catch (error) {
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
        shard.iterator = undefined;
        return;
      }
      if (error instanceof ResourceNotFoundException) {
        shards.delete(shard.id);
        return;
      }
      throw error;
    }
    if (!(await handOn(shard, page.Records ?? []))) return;
    shard.iterator = page.NextShardIterator;
    if (!page.NextShardIterator) await markClosed(shard);
  }

  async function markClosed(shard: ShardState): Promise<void> {
    positions[shard.id] = { ...positions[shard.id], closed: true };
    await checkpoint.save(streamArn, positions);
    // Its children may be waiting for it; look for them now.
    nextRefresh = 0;
  }

  /** Filters and delivers a page in batches, checkpointing after each. False when stopped midway. */
  async function handOn(shard: ShardState, records: _Record[]): Promise<boolean> {
    let batch: DynamoDBRecord[] = [];
    for (const [index, record] of records.entries()) {
      const pipeRecord = toPipeRecord(record, streamArn, options.region);
      if (filters.some((filter) => matchesPattern(filter, pipeRecord))) batch.push(pipeRecord);
      const last = index === records.length - 1;
      if (batch.length < batchSize && !last) continue;
      if (batch.length > 0 && !(await deliverWithRetry(batch))) return false;
      batch = [];
      positions[shard.id] = { sequenceNumber: record.dynamodb?.SequenceNumber };
      await checkpoint.save(streamArn, positions);
    }
    return true;
  }

  async function deliverWithRetry(batch: DynamoDBRecord[]): Promise<boolean> {
    let reason = "";
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (attempt > 1) await sleep(backoff(retry, attempt - 2));
      if (stopping) return false;
      try {
        await options.deliver(batch);
        return true;
      } catch (error) {
        if (stopping) return false;
        reason = describeError(error);
        log(`stream: delivering ${batch.length} record(s) failed (attempt ${attempt} of ${retry.attempts}): ${reason}`);
      }
    }
    await options.onFailedBatch(batch, reason, retry.attempts);
    return true;
  }

  const running = (async () => {
    while (!stopping) {
      try {
        if (Date.now() >= nextRefresh) {
          await refreshShards();
          nextRefresh = Date.now() + SHARD_REFRESH_MS;
        }
        for (const shard of readableShards()) {
          if (stopping) break;
          await readShard(shard);
        }
        lastProblem = "";
      } catch (error) {
        // Say it once, not every poll, while the engine is unreachable.
        const problem = describeError(error);
        if (!stopping && problem !== lastProblem) log(`stream: ${problem}; retrying`);
        lastProblem = problem;
      }
      await sleep(pollIntervalMs);
    }
  })();

  return {
    stop: async () => {
      stopping = true;
      wake?.();
      await running;
    },
  };
}
