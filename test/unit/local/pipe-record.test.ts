import type { _Record, AttributeValue } from "@aws-sdk/client-dynamodb-streams";
import { describe, expect, it } from "vitest";
import { SLA_BREACH_STREAM_FILTER } from "#shared/adapters/dynamodb/entities/sla-breach";
import {
  EVERY_TRANSITION_STREAM_FILTER,
  TRANSITION_STREAM_FILTERS,
} from "#shared/adapters/dynamodb/entities/transition";
import type { EventPattern } from "#shared/bus/summary-schemas";
import { matchesPattern } from "#shared/local/event-pattern";
import { toPipeRecord, toPipeRecordView } from "#shared/local/pipe-record";
import { compareSequenceNumbers } from "#shared/local/stream-checkpoint";

const ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/ripen/stream/2026-12-06T00:00:00.000";

function record(eventName: "INSERT" | "MODIFY", image: Record<string, AttributeValue>) {
  return {
    eventID: "e-1",
    eventName,
    eventVersion: "1.1",
    awsRegion: "ddblocal",
    dynamodb: {
      ApproximateCreationDateTime: new Date("2026-12-06T04:00:00.500Z"),
      Keys: { pk: { S: "LEAD#1" }, sk: { S: "TRANSITION#1" } },
      NewImage: image,
      OldImage: { entity: { S: "transition" }, blob: { B: new Uint8Array([1, 2]) } },
      SequenceNumber: "000000000000000000042",
      SizeBytes: 120,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  } satisfies _Record;
}

const RECORDS = [
  record("INSERT", { entity: { S: "transition" }, from: { S: "mql" }, to: { S: "sql" } }),
  record("INSERT", { entity: { S: "transition" }, to: { S: "lead" }, snapshot: { M: { bant: {} as AttributeValue } } }),
  record("INSERT", { entity: { S: "transition" }, to: { S: "mql" }, moved: { S: "yes" } }),
  record("MODIFY", { entity: { S: "transition" }, from: { S: "mql" }, to: { S: "sql" } }),
  record("INSERT", { entity: { S: "sla-breach" }, score: { N: "71" }, hash: { B: new Uint8Array([255]) } }),
  record("INSERT", { entity: { S: "lead" }, stage: { S: "sql" }, tags: { L: [{ S: "a" }, { M: {} }] } }),
];
const PATTERNS: EventPattern[] = [
  ...TRANSITION_STREAM_FILTERS,
  EVERY_TRANSITION_STREAM_FILTER,
  SLA_BREACH_STREAM_FILTER,
  { dynamodb: { OldImage: { blob: { B: ["AQI="] } } } },
  { dynamodb: { NewImage: { tags: { L: { M: { exists: true } } } } } } as EventPattern,
  { awsRegion: ["eu-west-1"], eventSource: ["aws:dynamodb"], dynamodb: { ApproximateCreationDateTime: [1796529600] } },
];

describe("a stream record as the Pipe's filter sees it", () => {
  it("matches every pattern exactly as the converted record does", () => {
    for (const raw of RECORDS) {
      const full = toPipeRecord(raw, ARN, "eu-west-1");
      const view = toPipeRecordView(raw, ARN, "eu-west-1");
      for (const pattern of PATTERNS) expect(matchesPattern(pattern, view)).toBe(matchesPattern(pattern, full));
    }
  });

  it("converts the attributes a filter reads as the full conversion does, and no others", () => {
    const raw = RECORDS[4] as _Record;
    const view = toPipeRecordView(raw, ARN, "eu-west-1");
    const full = toPipeRecord(raw, ARN, "eu-west-1");

    expect(view.dynamodb?.NewImage?.hash).toEqual(full.dynamodb?.NewImage?.hash);
    expect(view.dynamodb?.NewImage?.hash).toEqual({ B: "/w==" });
    expect(view.dynamodb?.NewImage?.absent).toBeUndefined();
    expect(Object.hasOwn(view.dynamodb?.NewImage ?? {}, "absent")).toBe(false);
  });
});

describe("stream sequence numbers", () => {
  it("order by value, padded or not, beyond what a number holds exactly", () => {
    expect(compareSequenceNumbers("000000000000000000009", "000000000000000000010")).toBeLessThan(0);
    expect(compareSequenceNumbers("10", "000000000000000000009")).toBeGreaterThan(0);
    expect(
      compareSequenceNumbers("49668042111111111111111111111111111111", "49668042111111111111111111111111111112"),
    ).toBe(-1);
    expect(compareSequenceNumbers("000000000000000000042", "42")).toBe(0);
  });
});
