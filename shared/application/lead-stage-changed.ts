import type { EventPattern } from "../bus/summary-schemas";

export type { EventPattern };

/**
 * An item a migration copied under a new key carries this attribute (`npm run migrate`): it was
 * published when it was first written, so its copy's INSERT is not published again.
 */
export const MOVED_ATTRIBUTE = "moved";
const NOT_MOVED = { [MOVED_ATTRIBUTE]: { S: [{ exists: false }] } };

/** A new transition item on the table stream, with more of its image to match when given. */
const insertedTransition = (image: EventPattern = {}): EventPattern => ({
  eventName: ["INSERT"],
  dynamodb: { NewImage: { entity: { S: ["transition"] }, ...NOT_MOVED, ...image } },
});

/**
 * The transition Pipe's filters on the table stream (a record passes when any of them matches): new
 * transition items, except a lead's creation into `lead` (`from` null), which is a fifth of all
 * webhooks and alerts no one unless the model's rules say so (then EVERY_TRANSITION_STREAM_FILTER
 * applies): each published event costs a Pipe request, a publish invocation and an EventBridge event. The creation is still a transition item (audit, funnel). Stream filters use
 * the event-pattern syntax, so the local poller applies them with the same matcher. Every stream
 * publication is listed in STREAM_PUBLICATIONS (stream-publications.ts).
 */
export const TRANSITION_STREAM_FILTERS: readonly EventPattern[] = [
  // A move from a stage: every transition but a creation.
  insertedTransition({ from: { S: [{ exists: true }] } }),
  // A creation whose first event took the lead past `lead` (straight to mql or sql, say).
  insertedTransition({ to: { S: [{ "anything-but": ["lead"] }] } }),
];

/**
 * Every new transition item, creations into `lead` included (ripen:publishNewLeads, RIPEN_PUBLISH_NEW_LEADS,
 * or a model rule that alerts on new leads).
 */
export const EVERY_TRANSITION_STREAM_FILTER: EventPattern = insertedTransition();

/** The SLA breach Pipe's filter: only new breach records (written by the maintenance sweep) become bus events. */
export const SLA_BREACH_STREAM_FILTER: EventPattern = {
  eventName: ["INSERT"],
  dynamodb: { NewImage: { entity: { S: ["sla-breach"] }, ...NOT_MOVED } },
};
