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
import { describeError } from "./describe-error";
import { toPipeRecord, toPipeRecordView } from "./pipe-record";
import { compareSequenceNumbers } from "./stream-checkpoint";
import { openStreamPipe, type PageRecord, type StreamPipe, type StreamPipeOptions } from "./stream-pipe";

export { DEFAULT_DELIVERY_RETRY, type StreamPipeOptions } from "./stream-pipe";

export interface StreamReaderOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  /** The Pipes reading this stream, each with its own filter, batches, retries, dead letters and checkpoint. */
  pipes: readonly StreamPipeOptions[];
  pollIntervalMs?: number;
  region: string;
  log: (line: string) => void;
}

/** One Pipe reading the stream on its own. */
export type StreamPollerOptions = Omit<StreamReaderOptions, "pipes"> & StreamPipeOptions;

export interface StreamPoller {
  /** Stops after the batch in hand; a batch not yet delivered stays unacknowledged for the next start. */
  stop(): Promise<void>;
}

const SHARD_REFRESH_MS = 5_000;
const RECORDS_PER_READ = 1_000;

interface ShardState {
  id: string;
  parentId?: string;
  iterator?: string;
}

/** A reader with one pipe. */
export function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { client, streamArn, pollIntervalMs, region, log, ...pipe } = options;
  return startStreamReader({ client, streamArn, region, log, pipes: [pipe], pollIntervalMs });
}

/**
 * Reads a table's stream the way EventBridge Pipes do, once for all of them (the local runtime hands it
 * one pipe per entry of STREAM_PUBLICATIONS): every shard, parents before their children, from the oldest
 * record on first start and from the earliest pipe's checkpoint afterwards. Each page goes to every pipe,
 * which skips what it already passed, filters, and delivers in batches (see openStreamPipe). In AWS each
 * Pipe reads the stream itself; here one reader halves what DynamoDB Local serializes and the SDK parses
 * (every lead update's two images, snapshot included), which competes with the webhooks for the engine.
 * The pipes take a page together: one whose delivery keeps failing holds the next page back from the
 * others for its retries (then dead-letters the batch), but never loses or repeats their records.
 */
export async function startStreamReader(options: StreamReaderOptions): Promise<StreamPoller> {
  const { client, streamArn, region, log } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const shards = new Map<string, ShardState>();
  const wakers = new Set<() => void>();
  let stopping = false;
  let nextRefresh = 0;
  let lastProblem = "";

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve();
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });
  const control = { stopping: () => stopping, sleep, log };
  const pipes: StreamPipe[] = [];
  for (const pipe of options.pipes) pipes.push(await openStreamPipe(pipe, streamArn, control));

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
    for (const pipe of pipes) pipe.keepOnly(ids);
  }

  /** The pipes that have not finished the shard. */
  const readersOf = (shardId: string) => pipes.filter((pipe) => !pipe.positions[shardId]?.closed);
  const finished = (shardId: string) => readersOf(shardId).length === 0;

  /** Open shards whose parent is finished or gone: a child holds records newer than its parent's. */
  function readableShards(): ShardState[] {
    return [...shards.values()]
      .filter((shard) => !finished(shard.id))
      .filter((shard) => !shard.parentId || !shards.has(shard.parentId) || finished(shard.parentId))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** From the earliest position of the pipes still reading the shard: each skips what it already passed. */
  async function iteratorFor(shard: ShardState, fromOldest = false): Promise<string | undefined> {
    const positions = readersOf(shard.id).map((pipe) => pipe.positions[shard.id]?.sequenceNumber);
    const sequenceNumber = fromOldest || positions.includes(undefined) ? undefined : earliest(positions as string[]);
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
      // Every record kept is newer than the checkpoint, so no pipe skips one it has not passed.
      log(`stream: records after the checkpoint in shard ${shard.id} expired; reading from the oldest kept`);
      return iteratorFor(shard, true);
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
    if (!(await handOn(shard, (page.Records ?? []).map(pageRecord)))) return;
    shard.iterator = page.NextShardIterator;
    if (!page.NextShardIterator) await markClosed(shard);
  }

  function pageRecord(record: _Record): PageRecord {
    let converted: DynamoDBRecord | undefined;
    return {
      sequenceNumber: record.dynamodb?.SequenceNumber,
      view: toPipeRecordView(record, streamArn, region),
      pipeRecord: () => {
        converted ??= toPipeRecord(record, streamArn, region);
        return converted;
      },
    };
  }

  /**
   * Hands the page to every pipe still reading the shard, together, and waits for all of them (even when
   * one fails) so that no pipe is still delivering when the page is read again. False when stopped midway.
   */
  async function handOn(shard: ShardState, page: readonly PageRecord[]): Promise<boolean> {
    const outcomes = await Promise.allSettled(readersOf(shard.id).map((pipe) => pipe.handOn(shard.id, page)));
    const failure = outcomes.find((outcome) => outcome.status === "rejected");
    if (failure) throw failure.reason;
    return outcomes.every((outcome) => outcome.status === "fulfilled" && outcome.value);
  }

  async function markClosed(shard: ShardState): Promise<void> {
    for (const pipe of pipes) await pipe.markClosed(shard.id);
    // Its children may be waiting for it; look for them now.
    nextRefresh = 0;
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
      for (const wake of [...wakers]) wake();
      await running;
    },
  };
}

function earliest(sequenceNumbers: readonly string[]): string | undefined {
  return [...sequenceNumbers].sort(compareSequenceNumbers)[0];
}
