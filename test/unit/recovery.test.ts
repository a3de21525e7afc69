import { describe, expect, it } from "vitest";
import { readDeadLetter } from "#shared/application/recovery/dead-letter-content";
import type { BusEntry, DeadLetterQueue, DeadMessage } from "#shared/application/recovery/ports";
import { redriveDeadLetters } from "#shared/application/recovery/redrive";
import { replayRange } from "#shared/application/recovery/replay";
import { republishRange } from "#shared/application/recovery/republish";
import { recoveryOutputs } from "#shared/cli/recovery";
import type { SqlReadyRequest } from "#shared/domain/lead";
import type { Channel } from "#shared/domain/model/notifications";
import { transitionFixture } from "./leads/fixtures";

const event = { version: "0", source: "ripen", "detail-type": "Lead Stage Changed", detail: { data: { to: "sql" } } };

describe("readDeadLetter", () => {
  it("reads the event a rule's dead-letter queue holds as it is", () => {
    expect(readDeadLetter(event)).toEqual({
      kind: "event",
      entry: { source: "ripen", detailType: "Lead Stage Changed", detail: { data: { to: "sql" } } },
    });
  });

  it("reads the event out of a function's on-failure record", () => {
    const record = { version: "1.0", requestContext: { condition: "RetriesExhausted" }, requestPayload: event };
    expect(readDeadLetter(record)).toMatchObject({ kind: "event", entry: { detailType: "Lead Stage Changed" } });
  });

  it("reads a Pipe's failed batch as the time range of its records", () => {
    const batch = {
      context: { pipeArn: "arn:aws:pipes:eu-west-1:123456789012:pipe/transitions" },
      dynamoDbStreamBatchInfo: {
        shardId: "shardId-1",
        startSequenceNumber: "100",
        endSequenceNumber: "200",
        approximateArrivalOfFirstRecord: "2026-11-24T10:00:00Z",
        approximateArrivalOfLastRecord: "2026-11-24T10:05:00Z",
        batchSize: 10,
      },
    };
    expect(readDeadLetter(batch)).toEqual({
      kind: "stream-batch",
      from: "2026-11-24T10:00:00.000Z",
      to: "2026-11-24T10:05:00.000Z",
    });
  });

  it("leaves what is not Ripen's to put back: a scheduled invocation, a stray body", () => {
    const scheduled = { requestPayload: { source: "aws.events", "detail-type": "Scheduled Event", detail: {} } };
    expect(readDeadLetter(scheduled)).toMatchObject({ kind: "other", why: expect.stringContaining("aws.events") });
    expect(readDeadLetter("not json")).toMatchObject({ kind: "other" });
  });
});

describe("redriveDeadLetters", () => {
  it("removes only what the bus accepted: a refused put leaves every message for the next run", async () => {
    // Prepare
    const messages: DeadMessage[] = [{ id: "1", body: event }];
    let handedOut = false;
    const queue: DeadLetterQueue = {
      name: "q",
      count: async () => messages.length,
      peek: async () => [...messages],
      receive: async () => {
        if (handedOut) return [];
        handedOut = true;
        return [...messages];
      },
      remove: async (gone) => {
        for (const message of gone) messages.splice(messages.indexOf(message), 1);
      },
    };
    const refusing = { put: async (_: readonly BusEntry[]) => Promise.reject(new Error("the bus refused 1 event(s)")) };

    // Act
    const run = redriveDeadLetters({ queues: [queue], bus: refusing })({ dryRun: false });

    // Assess
    await expect(run).rejects.toThrow("refused");
    expect(messages).toHaveLength(1);
  });
});

describe("replayRange", () => {
  it("takes ISO times and dates, in order", () => {
    expect(replayRange("2026-11-24", "2026-11-24T12:00:00+01:00")).toEqual({
      from: "2026-11-24T00:00:00.000Z",
      to: "2026-11-24T11:00:00.000Z",
    });
  });

  it("refuses a missing end, a range backwards, a time that is none", () => {
    expect(() => replayRange("2026-11-24", undefined)).toThrow("--from and --to");
    expect(() => replayRange("2026-11-25", "2026-11-24")).toThrow("after");
    expect(() => replayRange("yesterday", "2026-11-24")).toThrow("not a time");
  });
});

describe("recoveryOutputs", () => {
  const outputs = (suffix: string): Record<string, Record<string, string>> => ({
    [`RipenStateful${suffix}`]: { TableName: "t", EventBusArn: "bus", ArchiveArn: "archive" },
    [`RipenStateless${suffix}`]: {
      BusDeadLetterQueues: "https://q/1,https://q/2",
      PipeDeadLetterQueues: "https://q/3",
    },
  });

  it("reads the bus, the archive and the queues from the stacks' outputs, a stage's when given", () => {
    expect(recoveryOutputs(outputs("-dev"), "dev")).toEqual({
      tableName: "t",
      busArn: "bus",
      archiveArn: "archive",
      busDeadLetterQueues: ["https://q/1", "https://q/2"],
      pipeDeadLetterQueues: ["https://q/3"],
    });
  });

  it("names the fix when the outputs are not there", () => {
    expect(() => recoveryOutputs(outputs("-dev"))).toThrow("--outputs-file cdk-outputs.json");
  });
});

describe("republishRange", () => {
  const wait = (leadId: string, quiet = false): SqlReadyRequest => ({
    requestId: `sr_${leadId}`,
    leadId,
    since: "2026-11-24T10:01:00.000Z",
    stage: "mql",
    ruleId: "sql-demo",
    reason: "Completed a demo",
    modelVersion: "test-1",
    score: 80,
    reasons: [],
    bant: {},
    lead: { email: `${leadId}@people.example`, domain: "people.example" },
    ...(quiet && { quiet: true }),
  });
  const recorded = {
    between: async () => ({
      transitions: [transitionFixture({ leadId: "ld_moved", from: "lead", to: "mql", at: "2026-11-24T10:00:00.000Z" })],
      waits: [wait("ld_waiting"), wait("ld_imported", true)],
    }),
  };
  // The model sends moves to sql to the owner's Slack and email and to marketing; other moves to marketing.
  const channelsFor = ({ to }: { to: string }): Channel[] =>
    to === "sql" ? ["slack", "email", "marketing"] : ["marketing"];
  /** The range's republisher, putting on a bus that keeps what it is given in `put`. */
  const republisherInto = (put: BusEntry[]) =>
    republishRange({ recorded, channelsFor, bus: { put: async (entries) => void put.push(...entries) } });

  it("puts back each transition and each wait for review of the range, as the Pipes would have", async () => {
    // Prepare
    const put: BusEntry[] = [];
    const republish = republisherInto(put);

    // Act
    const found = await republish({ from: "2026-11-24T10:00:00Z", to: "2026-11-24T10:05:00Z", dryRun: false });

    // Assess: a wait goes to the owner's channels of a move to sql; a quiet one (an import's) to none.
    expect(found).toEqual({ transitions: 1, waits: 2 });
    expect(put.map((entry) => [entry.detailType, (entry.detail as { channels: string[] }).channels])).toEqual([
      ["Lead Stage Changed", ["marketing"]],
      ["Lead SQL Ready", ["slack", "email"]],
      ["Lead SQL Ready", []],
    ]);
    expect(put[1]?.detail).toMatchObject({ metadata: { requestId: "sr_ld_waiting" }, data: { stage: "mql" } });
  });

  it("only counts on a dry run", async () => {
    const put: BusEntry[] = [];
    const republish = republisherInto(put);

    const found = await republish({ from: "2026-11-24T10:00:00Z", to: "2026-11-24T10:05:00Z", dryRun: true });

    expect(found).toEqual({ transitions: 1, waits: 2 });
    expect(put).toEqual([]);
  });
});
