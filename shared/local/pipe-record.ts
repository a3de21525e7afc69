import type { _Record, AttributeValue } from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBRecord, AttributeValue as JsonAttributeValue } from "aws-lambda";

type JsonImage = Record<string, JsonAttributeValue>;

/**
 * A stream record as a Pipe hands it to its filter and enrichment: the JSON form, with binary
 * attributes in base64, the creation time in epoch seconds, and the source's region and stream ARN.
 */
export function toPipeRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  return pipeRecord(record, streamArn, region, toJsonImage);
}

/**
 * The same record for a filter to test, converting an image's attribute only when the filter reads it:
 * a filter names a few attributes, and a lead item's images carry a fold snapshot of a few KB that a
 * filter never looks at. Read-only; convert a record that passes with toPipeRecord.
 */
export function toPipeRecordView(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  return pipeRecord(record, streamArn, region, lazyJsonImage);
}

function pipeRecord(
  record: _Record,
  streamArn: string,
  region: string,
  toImage: (image: Record<string, AttributeValue>) => JsonImage,
): DynamoDBRecord {
  const stream = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: "aws:dynamodb",
    // DynamoDB Local reports "ddblocal"; the Pipe reports the table's region.
    awsRegion: region,
    eventSourceARN: streamArn,
    ...(stream && {
      dynamodb: {
        ...(stream.ApproximateCreationDateTime && {
          ApproximateCreationDateTime: Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000),
        }),
        ...(stream.Keys && { Keys: toImage(stream.Keys) }),
        ...(stream.NewImage && { NewImage: toImage(stream.NewImage) }),
        ...(stream.OldImage && { OldImage: toImage(stream.OldImage) }),
        SequenceNumber: stream.SequenceNumber,
        SizeBytes: stream.SizeBytes,
        StreamViewType: stream.StreamViewType,
      },
    }),
  };
}

function toJsonImage(image: Record<string, AttributeValue>): JsonImage {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toJsonValue(value)]));
}

/** An image whose attributes convert when read (the matcher reads them by name, and checks Object.hasOwn). */
function lazyJsonImage(image: Record<string, AttributeValue>): JsonImage {
  return new Proxy(image, {
    get: (target, name) =>
      typeof name === "string" && Object.hasOwn(target, name) ? toJsonValue(target[name] as AttributeValue) : undefined,
  }) as unknown as JsonImage;
}

function toJsonValue(value: AttributeValue): JsonAttributeValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: toJsonImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toJsonValue) };
  // DynamoDB Local's stream writes an empty map nested in another value as `{}` instead of `{"M":{}}`
  // (the table and the AWS stream keep the type), and unmarshalling `{}` throws: an SLA breach of a lead
  // with no BANT answers would never leave. A value with no type can only be that map.
  if (Object.keys(value).length === 0) return { M: {} };
  // S, N, SS, NS, BOOL and NULL already hold their JSON values.
  return value as JsonAttributeValue;
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
