import { describe, expect, it } from "vitest";
import { readDeadLetter } from "#shared/application/recovery/dead-letter-content";
import type { BusEntry, DeadLetterQueue, DeadMessage } from "#shared/application/recovery/ports";
import { redriveDeadLetters } from "#shared/application/recovery/redrive";
import { replayRange } from "#shared/application/recovery/replay";
import { recoveryOutputs } from "#shared/cli/recovery";

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
