import { createHash } from "node:crypto";
import * as z from "zod/mini";
import type { SourceResult } from "#shared/application/ports/webhook-source";
import {
  type LeadEventInput,
  MAX_KEY_LENGTH,
  MAX_TEXT_LENGTH,
  type Scalar,
  type SourceName,
} from "#shared/domain/lead-event";
import { type Answers, type Identity, setOwn } from "./answers";

/**
 * A vendor id as exact text. Integers above 2^53 reach the schema as digit strings (parseJsonBody keeps
 * them exact) and smaller ones as safe numbers, so String() never loses a digit. Any integer is taken,
 * whatever its size or sign, as the generic eventId is; a fraction is not an id.
 */
export const VendorId = z.pipe(
  z.union([z.string().check(z.minLength(1), z.maxLength(512)), z.number().check(z.int())]),
  z.transform(String),
);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A vendor's ISO 8601 timestamp (any fraction length, any offset), normalized to UTC milliseconds. */
export const Instant = z.pipe(
  z
    .string()
    .check(
      z.refine((text) => ISO_INSTANT.test(text) && Number.isFinite(Date.parse(text)), "must be an ISO 8601 timestamp"),
    ),
  z.transform((text: string) => new Date(text).toISOString()),
);

/** Milliseconds since the epoch, as a number or digit string, normalized to an ISO timestamp. */
export const EpochMillis = z.pipe(
  z.union([z.number().check(z.int(), z.nonnegative(), z.lte(8.64e15)), z.string().check(z.regex(/^\d{1,15}$/))]),
  z.transform((millis: number | string) => new Date(Number(millis)).toISOString()),
);

/** Canonical event ids are at most 256 characters; a longer composite key is replaced by its digest. */
const MAX_EVENT_ID = 256;

/** The dedupe key from the vendor's own ids, joined with ":" (stable across redeliveries). */
export function dedupeKey(...parts: string[]): string {
  const key = parts.join(":");
  return key.length <= MAX_EVENT_ID ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/** A 200 for a delivery that carries no lead, so the sender does not retry it. */
export function ignored(reason: string): SourceResult {
  return { kind: "reply", status: 200, body: { ignored: true, reason } };
}

/**
 * Keeps the scalar facts (text, finite numbers, booleans) and drops empty or structured ones. Names are
 * kept as given, a prototype name included, so the canonical event refuses what it cannot store.
 */
export function eventProperties(facts: Record<string, unknown>): Record<string, Scalar> {
  const properties: Record<string, Scalar> = {};
  for (const [name, value] of Object.entries(facts)) {
    if (name === "" || name.length > MAX_KEY_LENGTH) continue;
    if (typeof value === "string" && value.trim() !== "") setOwn(properties, name, value.slice(0, MAX_TEXT_LENGTH));
    else if (typeof value === "number" && Number.isFinite(value)) setOwn(properties, name, value);
    else if (typeof value === "boolean") setOwn(properties, name, value);
  }
  return properties;
}

export interface LeadFacts {
  source: SourceName;
  sourceEventId: string;
  type: string;
  occurredAt: string;
  identity: Identity & { email: string };
  answers?: Answers;
  attributes?: Record<string, Scalar>;
  properties?: Record<string, unknown>;
}

/** One canonical event, with identity in its own fields and nothing undefined left in. */
export function leadEvent(facts: LeadFacts): LeadEventInput {
  const { email } = facts.identity;
  // Names and companies come from free text; the canonical event holds 256 characters of each.
  const name = facts.identity.name?.trim().slice(0, 256) || undefined;
  const company = facts.identity.company?.trim().slice(0, 256) || undefined;
  return {
    source: facts.source,
    sourceEventId: facts.sourceEventId,
    type: facts.type,
    occurredAt: facts.occurredAt,
    email,
    ...(name !== undefined && { name }),
    ...(company !== undefined && { company }),
    attributes: facts.attributes ?? {},
    answers: facts.answers ?? {},
    properties: eventProperties(facts.properties ?? {}),
  };
}

/** The result for a delivery that describes exactly one lead event. */
export function oneEvent(facts: LeadFacts): SourceResult {
  return { kind: "events", events: [leadEvent(facts)] };
}
