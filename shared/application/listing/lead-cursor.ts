import { createHash } from "node:crypto";
import * as z from "zod/mini";
import type { StagePartition } from "#shared/application/ports/lead-reads";
import { InvalidQueryError } from "#shared/domain/errors";

/**
 * Where a listing stopped, per stage partition: after a sort key, or done. Partitions it does not
 * name have not been read yet. The cursor is bound to its query, so it cannot be replayed on another.
 */
export interface ListPosition {
  [partitionId: string]: string | typeof DONE;
}
export const DONE = 1;

const CURSOR_VERSION = 1;
const PARTITION_ID = /^[a-z]+\.\d{1,3}$/;
/** A stage index sort key: printable, ending `#<leadId>`. */
const SORT_KEY = /^[\x21-\x7e]{1,200}#[A-Za-z0-9_-]{1,64}$/;

const CursorSchema = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  q: z.string().check(z.regex(/^[0-9a-f]{16}$/)),
  p: z.record(z.string().check(z.regex(PARTITION_ID)), z.union([z.string().check(z.regex(SORT_KEY)), z.literal(DONE)])),
});

export const partitionId = (partition: StagePartition) => `${partition.stage}.${partition.shard}`;

/** A short digest of what the query asks for; a cursor carries it and must match. */
export function queryFingerprint(query: object): string {
  return createHash("sha256").update(JSON.stringify(query)).digest("hex").slice(0, 16);
}

export function encodeCursor(fingerprint: string, position: ListPosition): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, q: fingerprint, p: position })).toString("base64url");
}

/** The position in a cursor, checked against the query and its partitions; InvalidQueryError otherwise. */
export function decodeCursor(cursor: string, fingerprint: string, partitions: readonly StagePartition[]): ListPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidQueryError("cursor is not one this API returned");
  }
  const parsed = CursorSchema.safeParse(decoded);
  if (!parsed.success) throw new InvalidQueryError("cursor is not one this API returned");
  if (parsed.data.q !== fingerprint) {
    throw new InvalidQueryError("cursor belongs to another query: keep stage, owner, sort and order unchanged");
  }
  const known = new Set(partitions.map(partitionId));
  if (Object.keys(parsed.data.p).some((id) => !known.has(id))) {
    throw new InvalidQueryError("cursor is not one this API returned");
  }
  return parsed.data.p;
}
