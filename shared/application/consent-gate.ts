import { ConsentRequiredError } from "#shared/domain/errors";
import type { LeadEvent } from "#shared/domain/lead-event";
import type { TombstoneReader } from "./ports/tombstones";

/** Decides whether an event may create a lead for a person who has no lead item. */
export interface ErasureCheck {
  /** Throws ConsentRequiredError when the person was erased and the event does not give consent again. */
  assertMayCreate(leadId: string, event: LeadEvent): Promise<void>;
  /**
   * Whether the lead this event creates must still find no tombstone when it commits (LeadChange's
   * `unlessErased`): an erasure may land between assertMayCreate and the commit.
   */
  checksAtCommit(event: LeadEvent): boolean;
}

const CONSENT_KEY = "consent";
const CONSENTING = new Set(["true", "yes", "granted"]);

/**
 * True when the event states consent: a `consent` answer, attribute or property that is true, "yes",
 * "granted" (a form's consent checkbox maps to one of these).
 */
export function givesConsent(event: Pick<LeadEvent, "answers" | "attributes" | "properties">): boolean {
  const values = [event.answers[CONSENT_KEY], event.attributes[CONSENT_KEY], event.properties[CONSENT_KEY]];
  return values.some((value) => value === true || (typeof value === "string" && CONSENTING.has(value.toLowerCase())));
}

/**
 * The check the write path runs before creating a lead when RIPEN_ERASE_BLOCKS_RECREATE is on: an
 * erased person is not recorded again until an event of theirs gives consent. One GetItem, and only
 * for events of people without a lead item; the commit of such a lead checks the tombstone again, in
 * the same transaction, unless the event gives consent.
 */
export function consentGate(tombstones: TombstoneReader): ErasureCheck {
  return {
    checksAtCommit: (event) => !givesConsent(event),
    async assertMayCreate(leadId, event) {
      if (givesConsent(event)) return;
      const tombstone = await tombstones.tombstoneOf(leadId);
      if (!tombstone) return;
      throw new ConsentRequiredError(
        `this person was erased on ${tombstone.erasedOn}; events are not recorded until one gives consent again`,
      );
    },
  };
}
