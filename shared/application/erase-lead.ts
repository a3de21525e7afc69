import { randomBytes } from "node:crypto";
import { LeadNotFoundError } from "#shared/domain/errors";
import type { Actor } from "#shared/domain/lead";
import type { Stage } from "#shared/domain/stages";
import type { Clock, PseudonymSource } from "./ports/lead-store";
import type { Tombstone, TombstoneReader } from "./ports/tombstones";

/** The part of a transition the funnel needs, and nothing about the person. */
export interface TransitionStub {
  from: Stage | null;
  to: Stage;
  at: string;
  actor?: Actor;
  source?: string;
  campaign?: string;
}

/** One item of the person's partition (the tombstone and erased events' records excepted). */
export interface PersonItem {
  /** The item's sort key. */
  key: string;
  entity: string;
  /** Set on transitions: what their stub keeps. */
  stub?: TransitionStub;
}

export interface ErasureAudit {
  leadId: string;
  at: string;
  /** Who asked (the caller's IAM identity), never the person erased. */
  requestedBy: string;
  deleted: Record<string, number>;
  stubsKept: number;
}

export interface ErasureStore extends TombstoneReader {
  /** Every item stored under the person's lead id, read consistently, except what an erasure leaves. */
  personItems(leadId: string): Promise<PersonItem[]>;
  putTombstone(tombstone: Tombstone): Promise<void>;
  /**
   * Replaces each event with a record of its key alone (a keyed hash of the sender's id): the event's
   * content goes, and a redelivery of it is still recognised as one. Kept for good: senders without a
   * replay window may deliver an old event at any time.
   */
  replaceEventsWithRecords(leadId: string, keys: readonly string[]): Promise<void>;
  /**
   * Deletes these transitions and writes their stubs under `anonymousId`, each pair atomically, so a
   * retried erasure never counts a transition twice. Returns how many it replaced.
   */
  replaceWithStubs(leadId: string, anonymousId: string, items: readonly PersonItem[]): Promise<number>;
  deleteItems(leadId: string, keys: readonly string[]): Promise<void>;
  recordAudit(audit: ErasureAudit): Promise<void>;
}

export interface ErasureResult {
  leadId: string;
  erasedOn: string;
  /** Items deleted, by entity (lead, event, transition, marker, raw, ...). */
  deleted: Record<string, number>;
  /** PII-free transition stubs kept so the funnel's past numbers do not change. */
  stubsKept: number;
  /** True when a tombstone was already there (a repeated request). */
  alreadyErased: boolean;
}

/** A concurrent write can land while the partition is being emptied: look again this many times. */
const PASSES = 3;

/**
 * Erases a person (GDPR art. 17): everything stored under their lead id goes (lead, events, raw
 * payload copies, markers, SLA records, transitions with the answers and BANT they carried).
 * Input: a lead id or an email, and who asks. Output: ErasureResult, or LeadNotFoundError when
 * nothing was ever stored for that id (an email is accepted even then: its tombstone blocks re-creation).
 * Main course: the tombstone (the day, under the keyed lead id) is written first, so the write path can
 * refuse the person while their items are deleted; each event is replaced by a record of its keyed
 * dedupe key, so a redelivery of it stays a duplicate instead of bringing the person back; each
 * transition is replaced by a stub under a fresh random id, unlinkable to the person, that keeps
 * from/to/at/source/campaign for the funnel; the rest is deleted in batches; the erasure is audited
 * without personal data.
 * Guarantees: idempotent (a second request deletes nothing more and reports alreadyErased); no stub is
 * written twice for one transition; what is left is keyed hashes, the day and anonymous stubs: nothing
 * that the email or a sender's id alone leads back to.
 */
export const eraseLead =
  (deps: { store: ErasureStore; clock: Clock; pseudonyms: PseudonymSource }) =>
  async (input: { idOrEmail: string; requestedBy: string }): Promise<ErasureResult> => {
    const byEmail = input.idOrEmail.includes("@");
    const leadId = byEmail ? (await deps.pseudonyms()).leadId(input.idOrEmail) : input.idOrEmail;
    const [existing, firstItems] = await Promise.all([deps.store.tombstoneOf(leadId), deps.store.personItems(leadId)]);
    if (!existing && firstItems.length === 0 && !byEmail) throw new LeadNotFoundError(`no lead ${leadId}`);

    const now = deps.clock();
    if (existing && firstItems.length === 0) {
      await deps.store.recordAudit({
        leadId,
        at: now.toISOString(),
        requestedBy: input.requestedBy,
        deleted: {},
        stubsKept: 0,
      });
      return { leadId, erasedOn: existing.erasedOn, deleted: {}, stubsKept: 0, alreadyErased: true };
    }
    const erasedAt = now.toISOString();
    const tombstone: Tombstone = { leadId, erasedOn: erasedAt.slice(0, 10), erasedAt };
    await deps.store.putTombstone(tombstone);

    const anonymousId = `anon_${randomBytes(12).toString("hex")}`;
    const deleted: Record<string, number> = {};
    let stubsKept = 0;
    let items = firstItems;
    for (let pass = 0; pass < PASSES && items.length > 0; pass++) {
      const transitions = items.filter((item) => item.stub);
      const events = items.filter((item) => item.entity === "event");
      const others = items.filter((item) => !item.stub && item.entity !== "event");
      const replaced = await deps.store.replaceWithStubs(leadId, anonymousId, transitions);
      stubsKept += replaced;
      if (replaced > 0) deleted.transition = (deleted.transition ?? 0) + replaced;
      await deps.store.replaceEventsWithRecords(
        leadId,
        events.map((item) => item.key),
      );
      await deps.store.deleteItems(
        leadId,
        others.map((item) => item.key),
      );
      for (const item of [...events, ...others]) deleted[item.entity] = (deleted[item.entity] ?? 0) + 1;
      items = await deps.store.personItems(leadId);
    }
    if (items.length > 0) throw new Error(`erasure of ${leadId} left ${items.length} items after ${PASSES} passes`);

    await deps.store.recordAudit({
      leadId,
      at: now.toISOString(),
      requestedBy: input.requestedBy,
      deleted,
      stubsKept,
    });
    return { leadId, erasedOn: tombstone.erasedOn, deleted, stubsKept, alreadyErased: existing !== undefined };
  };
