import { createHash } from "node:crypto";
import type { Stage } from "../../domain/stages";

/**
 * Key layouts. A lead's partition holds everything about the person, so erasing them is one Query:
 *   pk LEAD#<leadId>  sk LEAD                      the lead
 *                     sk EVENT#<key>               an event; the key, a keyed hash of <source>:<id>, is
 *                                                  the dedupe key, and stays as an erased event's record
 *                     sk TRANSITION#<at>#<id>      a change of stage
 *                     sk SLA#<ruleId>#<enteredAt>  an SLA breach, once per rule and stay in a stage
 *                     sk MARKER#<key>              a rep action applied (its idempotency key), for a week
 *                     sk TOMBSTONE                 left by an erasure: when, and nothing about who
 *   pk ERASED#<random>  sk TRANSITION#<at>#<random>  an erased person's transition, PII-free, for the funnel
 *   pk AUDIT#ERASURE#<yyyy-mm>  sk <at>#<leadId>     one erasure, audited without personal data
 * Lead items are indexed by stage (gsi1 by score band, gsi2 by time entered), sharded so one stage is
 * never one hot partition, and by company domain (gsi3; free-mail domains are no account). Transition
 * items are indexed by day (gsi3).
 */
export const STAGE_SHARDS = 8;

export const leadPk = (leadId: string) => `LEAD#${leadId}`;
export const LEAD_SK = "LEAD";
/** An event's sort key: its pseudonym (Pseudonyms.eventKey), never the sender's own id. */
export const eventSk = (eventKey: string) => `EVENT#${eventKey}`;
export const EVENT_PREFIX = "EVENT#";
export const transitionSk = (at: string, transitionId: string) => `TRANSITION#${at}#${transitionId}`;
export const TRANSITION_PREFIX = "TRANSITION#";
export const markerSk = (key: string) => `MARKER#${key}`;

export function stageShard(leadId: string): number {
  return createHash("sha256").update(leadId).digest().readUInt32BE(0) % STAGE_SHARDS;
}
export const stagePk = (stage: Stage, shard: number) => `STAGE#${stage}#${shard}`;

/** Score bands sort as strings: offset so negative bands sort first, fixed width. */
export function bandSortKey(band: number, leadId: string): string {
  return `${String(Math.max(0, Math.min(999_999, band + 500_000))).padStart(6, "0")}#${leadId}`;
}
export const enteredSortKey = (enteredAt: string, leadId: string) => `${enteredAt}#${leadId}`;
export const domainPk = (domain: string) => `DOMAIN#${domain}`;
export const transitionDayPk = (at: string) => `TDAY#${at.slice(0, 10)}`;

/** The index sort keys above end with `#<leadId>`. */
export const leadIdOfIndexKey = (sortKey: string) => sortKey.slice(sortKey.lastIndexOf("#") + 1);
export const SLA_PREFIX = "SLA#";
export const slaBreachSk = (ruleId: string, enteredAt: string) => `${SLA_PREFIX}${ruleId}#${enteredAt}`;
export const TOMBSTONE_SK = "TOMBSTONE";
/** Leads whose snapshot is behind their events, by shard: pk STALE#<shard>, sk <leadId>. */
export const stalePk = (shard: number) => `STALE#${shard}`;
export const erasedPk = (anonymousId: string) => `ERASED#${anonymousId}`;
export const ERASURE_AUDIT_PREFIX = "AUDIT#ERASURE#";
export const erasureAuditPk = (at: string) => `${ERASURE_AUDIT_PREFIX}${at.slice(0, 7)}`;
/**
 * Batch runs over the leads (rescore, preview, sweep): a run's items share its partition,
 *   pk RUN#<runId>  sk RUN               what the run does (kind, models, budget)
 *                   sk PART#<nnnn>       one part: its source, ticket, position and tally
 *                   sk CHANGE#<leadId>   a preview's change of stage for one lead
 * and pk RUNS, sk <the work's key> points to the run doing that work. All of them expire.
 */
export const runPk = (runId: string) => `RUN#${runId}`;
export const RUN_SK = "RUN";
export const PART_PREFIX = "PART#";
export const partSk = (part: number) => `${PART_PREFIX}${String(part).padStart(4, "0")}`;
export const CHANGE_PREFIX = "CHANGE#";
export const changeSk = (leadId: string) => `${CHANGE_PREFIX}${leadId}`;
export const RUNS_PK = "RUNS";
