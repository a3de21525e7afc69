import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBRecord } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import type { CheckpointFile } from "#shared/local/stream-checkpoint";
import { type StreamPollerOptions, startStreamPoller } from "#shared/local/stream-poller";
import { idsIn, settle, useStreamTable } from "../support/stream-table";

const stream = useStreamTable("local-stream-poller");
const { checkpointFor, putTransition, putLead } = stream;
const FAST_RETRY = { attempts: 3, baseMs: 5, capMs: 20 };

async function poll(checkpoint: CheckpointFile, overrides: Partial<StreamPollerOptions> = {}) {
  const delivered: DynamoDBRecord[][] = [];
  const failed: { records: DynamoDBRecord[]; reason: string }[] = [];
  const poller = await startStreamPoller({
    client: stream.streams,
    streamArn: stream.table.streamArn,
    checkpoint,
    deliver: async (records) => {
      delivered.push(records);
    },
    onFailedBatch: async (records, reason) => {
      failed.push({ records, reason });
    },
    pollIntervalMs: 50,
    retry: FAST_RETRY,
    region: "eu-west-1",
    log: () => {},
    ...overrides,
  });
  stream.stopAfterTest(poller);
  return { poller, delivered, failed };
}

describe("local stream poller (the Pipe's source and filter)", () => {
  it("hands a new transition item over exactly once, in the Pipe's record shape, and ignores other items", async () => {
    // Prepare
    const { delivered } = await poll(checkpointFor("once"));

    // Act
    await putLead("once-lead");
    await putTransition("once-transition");

    // Assess
    await vi.waitFor(() => expect(idsIn(delivered)).toContain("once-transition"), { timeout: 10_000 });
    await settle();
    expect(idsIn(delivered).filter((id) => id === "once-transition")).toHaveLength(1);
    expect(idsIn(delivered)).not.toContain("once-lead");
    const record = delivered.flat().find((candidate) => candidate.dynamodb?.NewImage?.id?.S === "once-transition");
    expect(record).toMatchObject({
      eventName: "INSERT",
      eventSource: "aws:dynamodb",
      awsRegion: "eu-west-1",
      eventSourceARN: stream.table.streamArn,
      dynamodb: {
        Keys: { pk: { S: "LEAD#once-transition" }, sk: { S: "TRANSITION#once-transition" } },
        NewImage: { entity: { S: "transition" }, to: { S: "sql" } },
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
    expect(typeof record?.dynamodb?.ApproximateCreationDateTime).toBe("number");
    expect(typeof record?.dynamodb?.SequenceNumber).toBe("string");
  });

  it("does not hand over a transition item that is modified rather than inserted", async () => {
    const { delivered } = await poll(checkpointFor("modify"));
    await putTransition("modified");
    await vi.waitFor(() => expect(idsIn(delivered)).toContain("modified"), { timeout: 10_000 });

    await putTransition("modified"); // same key again: a MODIFY record

    await settle();
    expect(idsIn(delivered).filter((id) => id === "modified")).toHaveLength(1);
  });

  it("resumes from its checkpoint after a restart: nothing sent twice, nothing written meanwhile lost", async () => {
    // Prepare
    const checkpoint = checkpointFor("restart");
    const first = await poll(checkpoint);
    await putTransition("before-restart");
    await vi.waitFor(() => expect(idsIn(first.delivered)).toContain("before-restart"), { timeout: 10_000 });
    await first.poller.stop();

    // Act
    await putTransition("while-stopped");
    const second = await poll(checkpoint);
    await putTransition("after-restart");

    // Assess
    await vi.waitFor(() => expect(idsIn(second.delivered)).toContain("after-restart"), { timeout: 10_000 });
    await settle();
    const seen = idsIn(second.delivered);
    expect(seen).not.toContain("before-restart");
    expect(seen.filter((id) => id === "while-stopped")).toHaveLength(1);
    expect(seen.indexOf("while-stopped")).toBeLessThan(seen.indexOf("after-restart"));
  });

  it("reads from the oldest record on a first start, like TRIM_HORIZON", async () => {
    await putTransition("before-first-start");
    const { delivered } = await poll(checkpointFor("first-start"));
    await vi.waitFor(() => expect(idsIn(delivered)).toContain("before-first-start"), { timeout: 10_000 });
  });

  it("retries a failed delivery and moves on once it succeeds", async () => {
    // Prepare
    let failures = 0;
    const delivered: DynamoDBRecord[][] = [];
    const checkpoint = checkpointFor("retry");
    await poll(checkpoint, {
      deliver: async (records) => {
        if (records.some((record) => record.dynamodb?.NewImage?.id?.S === "flaky") && failures++ < 2) {
          throw new Error("bus unavailable");
        }
        delivered.push(records);
      },
    });

    // Act
    await putTransition("flaky");

    // Assess
    await vi.waitFor(() => expect(idsIn(delivered)).toContain("flaky"), { timeout: 10_000 });
    expect(failures).toBe(3);
  });

  it("hands a batch that fails every attempt to onFailedBatch with the reason, then goes on", async () => {
    const checkpoint = checkpointFor("dead");
    const { failed, delivered } = await poll(checkpoint, {
      // One record a batch: the poison record must not take its neighbours down with it.
      batchSize: 1,
      deliver: async (records) => {
        if (records.some((record) => record.dynamodb?.NewImage?.id?.S === "poison")) throw new Error("cannot publish");
        delivered.push(records);
      },
    });

    await putTransition("poison");
    await putTransition("after-poison");

    await vi.waitFor(() => expect(idsIn(delivered)).toContain("after-poison"), { timeout: 10_000 });
    expect(failed.map((entry) => entry.reason)).toContain("Error: cannot publish");
    expect(idsIn(failed.map((entry) => entry.records))).toContain("poison");
  });

  it("leaves a batch still failing when it stops unacknowledged, so the next start delivers it", async () => {
    // Prepare
    const checkpoint = checkpointFor("unsent");
    const attempts: string[] = [];
    const first = await poll(checkpoint, {
      retry: { attempts: 1_000, baseMs: 20, capMs: 20 },
      deliver: async (records) => {
        attempts.push(...(idsIn([records]) as string[]));
        throw new Error("slack is down");
      },
    });
    await putTransition("unsent");
    await vi.waitFor(() => expect(attempts).toContain("unsent"), { timeout: 10_000 });

    // Act
    await first.poller.stop();
    const second = await poll(checkpoint);

    // Assess
    await vi.waitFor(() => expect(idsIn(second.delivered)).toContain("unsent"), { timeout: 10_000 });
    expect(first.failed).toHaveLength(0);
  });
});

/** A stream whose first shard has closed and split, which DynamoDB Local cannot be made to do on demand. */
function splitStream() {
  const record = (id: string, sequenceNumber: string) => ({
    eventID: id,
    eventName: "INSERT",
    dynamodb: {
      SequenceNumber: sequenceNumber,
      NewImage: { entity: { S: "transition" }, from: { S: "mql" }, to: { S: "sql" }, id: { S: id } },
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  });
  const shards: Record<string, { parent?: string; closed: boolean; records: ReturnType<typeof record>[] }> = {
    // Listed child first: the poller must still finish the parent before reading the child.
    "shardId-2-child": { parent: "shardId-1-parent", closed: false, records: [record("c1", "300")] },
    "shardId-1-parent": { closed: true, records: [record("p1", "100"), record("p2", "200")] },
  };
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, string> }) => {
      const input = command.input;
      switch (command.constructor.name) {
        case "DescribeStreamCommand":
          return {
            StreamDescription: {
              Shards: Object.entries(shards).map(([id, shard]) => ({ ShardId: id, ParentShardId: shard.parent })),
            },
          };
        case "GetShardIteratorCommand": {
          const shard = shards[input.ShardId as string];
          const after = input.SequenceNumber;
          const from = after ? (shard?.records.findIndex((r) => r.dynamodb.SequenceNumber === after) ?? -1) + 1 : 0;
          return { ShardIterator: `${input.ShardId}|${from}` };
        }
        case "GetRecordsCommand": {
          const [id = "", from = "0"] = (input.ShardIterator ?? "").split("|");
          const shard = shards[id];
          const records = shard?.records.slice(Number(from)) ?? [];
          const next = Number(from) + records.length;
          return { Records: records, NextShardIterator: shard?.closed ? undefined : `${id}|${next}` };
        }
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  };
  return client as unknown as DynamoDBStreamsClient;
}

describe("local stream poller across shards", () => {
  it("finishes a closed parent shard, then follows its child, and remembers the parent is done", async () => {
    // Prepare
    const checkpoint = checkpointFor("split");
    const delivered: DynamoDBRecord[][] = [];

    // Act
    const poller = await startStreamPoller({
      client: splitStream(),
      streamArn: "arn:aws:dynamodb:local:000000000000:table/split/stream/1",
      checkpoint,
      deliver: async (records) => {
        delivered.push(records);
      },
      onFailedBatch: async () => {},
      pollIntervalMs: 20,
      region: "eu-west-1",
      log: () => {},
    });
    stream.stopAfterTest(poller);

    // Assess
    await vi.waitFor(() => expect(idsIn(delivered)).toContain("c1"), { timeout: 5_000 });
    await poller.stop();
    expect(idsIn(delivered)).toEqual(["p1", "p2", "c1"]);
    const saved = await checkpoint.load("arn:aws:dynamodb:local:000000000000:table/split/stream/1");
    expect(saved).toEqual({
      "shardId-1-parent": { sequenceNumber: "200", closed: true },
      "shardId-2-child": { sequenceNumber: "300" },
    });
  });

  it("starts a recreated table's stream from the beginning: another stream ARN ignores the old checkpoint", async () => {
    const checkpoint = checkpointFor("recreated");
    await checkpoint.save("arn:old", { "shardId-1-parent": { sequenceNumber: "200", closed: true } });
    expect(await checkpoint.load("arn:new")).toEqual({});
  });
});
