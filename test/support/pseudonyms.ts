import {
  type LeadRecorded,
  type RecordEventDeps,
  type RecordedEvent,
  recordEvent,
} from "#shared/application/record-event";
import { pseudonyms } from "#shared/domain/pseudonyms";

/** The key the tests hash with; setup.ts gives it to the handlers too, so the ids a test computes match. */
export const TEST_ID_KEY = "ripen-test-id-key-for-the-test-suite-only";
export const TEST_PSEUDONYMS = pseudonyms(TEST_ID_KEY);
/** A PseudonymSource for use cases under test. */
export const testPseudonyms = async () => TEST_PSEUDONYMS;
/** The lead id of an email, as Ripen computes it in the tests. */
export const leadIdOf = (email: string) => TEST_PSEUDONYMS.leadId(email);

/**
 * recordEvent for tests that only record leads (no erasures): its result narrowed to a recorded lead,
 * and a redelivery of an erased event is a test failure.
 */
export function recordingLeads<Event>(
  record: (event: Event) => Promise<RecordedEvent>,
): (event: Event) => Promise<LeadRecorded> {
  return async (event) => {
    const result = await record(event);
    if (result.erased) throw new Error(`${result.leadId} was erased: no lead recorded`);
    return result;
  };
}

/** recordEvent as most tests wire it: the test key, no wait between retries, leads only (see recordingLeads). */
export function recordLeads(
  deps: Omit<RecordEventDeps, "pseudonyms" | "sleep"> & Partial<Pick<RecordEventDeps, "pseudonyms" | "sleep">>,
) {
  return recordingLeads(recordEvent({ pseudonyms: testPseudonyms, sleep: async () => {}, ...deps }));
}
