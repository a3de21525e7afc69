import type { TransactWriteItem } from "@aws-sdk/client-dynamodb";

/** A transaction as JSON, binary attributes (the packed `d`) as base64 so they survive the trip. */
export function encodeTemplate(items: unknown): string {
  return JSON.stringify(items, (_key, value: unknown) =>
    value instanceof Uint8Array ? { $base64: Buffer.from(value).toString("base64") } : value,
  );
}
export function decodeTemplate(template: string): TransactWriteItem[] {
  return JSON.parse(template, (_key, value: unknown) =>
    value && typeof value === "object" && "$base64" in value
      ? new Uint8Array(Buffer.from(String((value as { $base64: string }).$base64), "base64"))
      : value,
  ) as TransactWriteItem[];
}
