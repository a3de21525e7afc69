import { z } from "zod";

export const SOURCES = ["typeform", "tally", "webflow", "hubspot", "zoom", "calendly", "calcom", "generic"] as const;
export const SourceName = z.enum(SOURCES);
export type SourceName = z.infer<typeof SourceName>;

/** Canonical event types look like `form.submitted`, `demo.completed`, `page.viewed`. */
export const EventType = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "must look like noun.verb, e.g. form.submitted")
  .max(64);

/** A scalar a form answer or lead attribute can hold. */
export const Scalar = z.union([z.string().max(4096), z.number().finite(), z.boolean()]);
export type Scalar = z.infer<typeof Scalar>;
export const AnswerValue = z.union([Scalar, z.array(z.string().max(1024)).max(100)]);
export type AnswerValue = z.infer<typeof AnswerValue>;

const Key = z.string().min(1).max(128);

/** An email, trimmed and lower-cased: the lead's identity. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: "must be an email address" }))
  .transform((email) => email.toLowerCase());

/**
 * The canonical event every source adapter produces and the engine folds.
 * `source` + `sourceEventId` is the dedupe key: the sender's own delivery or event id.
 */
export const LeadEvent = z.object({
  source: SourceName,
  sourceEventId: z.string().min(1).max(256),
  type: EventType,
  occurredAt: z.iso.datetime({ offset: true }).transform((at) => new Date(at).toISOString()),
  email: Email,
  name: z.string().trim().min(1).max(256).optional(),
  company: z.string().trim().min(1).max(256).optional(),
  /** Facts about the person or company (fit): companySize, industry, country, jobTitle, ... */
  attributes: z.record(Key, Scalar).default({}),
  /** Form answers keyed by the sender's label or ref; the model maps them to attributes and BANT. */
  answers: z.record(Key, AnswerValue).default({}),
  /** Facts about the event itself: page path, webinar minutes, campaign, ... */
  properties: z.record(Key, Scalar).default({}),
});
export type LeadEvent = z.output<typeof LeadEvent>;
export type LeadEventInput = z.input<typeof LeadEvent>;

/** The key an event is stored and deduplicated under, stable across redeliveries. */
export function eventKey(event: Pick<LeadEvent, "source" | "sourceEventId">): string {
  return `${event.source}:${event.sourceEventId}`;
}
