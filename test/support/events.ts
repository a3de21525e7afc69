import type { LeadEventInput } from "#shared/domain/lead-event";
import { LeadEvent } from "#shared/domain/lead-event";

let counter = 0;

/** A valid canonical event with sensible defaults; override what the test is about. */
export function leadEvent(overrides: Partial<LeadEventInput> = {}): LeadEvent {
  counter++;
  return LeadEvent.parse({
    source: "generic",
    sourceEventId: `evt-${counter}`,
    type: "form.submitted",
    occurredAt: "2026-11-20T10:00:00.000Z",
    email: "ada@example.com",
    ...overrides,
  });
}
