import { createHash } from "node:crypto";
import type { Scalar } from "./lead-event";
import type { Stage } from "./stages";

/** A sales rep who can own leads. */
export interface Owner {
  id: string;
  name: string;
  email: string;
  slackUserId?: string;
}

/** One BANT criterion as read from the lead's answers. */
export interface BantItem {
  value: string;
  satisfied: boolean;
  /** The event the value came from. */
  eventId: string;
}
export const BANT_KEYS = ["budget", "authority", "need", "timing"] as const;
export type BantKey = (typeof BANT_KEYS)[number];
export type Bant = Partial<Record<BantKey, BantItem>>;

/** One reason a score is what it is: a rule that matched, with its points before and after decay. */
export interface RuleHit {
  ruleId: string;
  axis: "fit" | "engagement";
  /** The event that earned the points (engagement), or the attribute that did (fit). */
  eventId?: string;
  attribute?: string;
  label: string;
  points: number;
  decayedPoints: number;
}

/** A lead: one person, identified by normalized email. */
export interface Lead {
  leadId: string;
  email: string;
  name?: string;
  company?: string;
  /** Company domain taken from the email, for the account roll-up. */
  domain: string;
  attributes: Record<string, Scalar>;
  stage: Stage;
  stageEnteredAt: string;
  score: number;
  fit: number;
  engagement: number;
  /** BANT as last evaluated; the full explanation (rule hits) is recomputed on read, decayed to now. */
  bant: Bant;
  owner?: Owner;
  createdAt: string;
  updatedAt: string;
  lastEventAt: string;
  eventCount: number;
  modelVersion: string;
  /** When a rep accepted the lead (took ownership); the SLA on sql leads runs until then. */
  acceptedAt?: string;
  /** First-touch attribution: the source of the lead's earliest event, and the first campaign named. */
  source?: string;
  campaign?: string;
  /** Optimistic-concurrency version: every write checks and bumps it. */
  version: number;
}

/** Lead ids are derived from the normalized email, so a lead is found by email without an index. */
export function leadIdFor(email: string): string {
  return `ld_${createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 24)}`;
}

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/** Who moved a lead: a model rule, a rep, or the system applying a model version. */
export interface Actor {
  type: "rule" | "rep" | "model";
  id: string;
}

/** A change of stage, stored beside the lead; drives alerts, the audit trail and the funnel. */
export interface Transition {
  transitionId: string;
  leadId: string;
  from: Stage | null;
  to: Stage;
  at: string;
  reason: string;
  actor: Actor;
  modelVersion: string;
  score: number;
  /** Top reasons from the explanation at the time of the move. */
  reasons: RuleHit[];
  bant: Bant;
  owner?: Owner;
  lead: { name?: string; email: string; company?: string; domain: string };
  /** The event that caused the move, when one did. */
  eventId?: string;
  /** The lead's first-touch attribution, so the funnel groups every move of a lead under one source. */
  source?: string;
  campaign?: string;
}
