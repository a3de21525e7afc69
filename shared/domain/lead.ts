import * as z from "zod/mini";
import { Email, type Scalar } from "./lead-event";
import type { LeadSnapshot } from "./snapshot";
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

/**
 * One reason a score is what it is: a rule that scored, how many events it scored for (1 for a fit
 * rule), its points before decay and after (rounded once, per rule: the parts add up to the score).
 */
export interface RuleHit {
  ruleId: string;
  axis: "fit" | "engagement";
  /** The attribute a fit rule read. */
  attribute?: string;
  label: string;
  hits: number;
  points: number;
  decayedPoints: number;
}

/** A lead waiting for a rep's Qualify: since when, and the sql (or sqo) rule it meets. */
export interface SqlReview {
  since: string;
  ruleId: string;
  reason: string;
}

/** A lead: one person, identified by normalized email. */
export interface Lead {
  /** A keyed hash of the email (Pseudonyms.leadId): found by email without an index, and by nobody without the key. */
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
  /**
   * The SDR gate (stages.sqlReview): the lead meets an sql (or sqo) rule and waits, in its stage, for a rep
   * to Qualify or Disqualify it; since when, and the rule. Decided by every fold, as the stage is: present
   * while the rules call for sql and the lead is below it, kept with its first `since` while it waits.
   */
  review?: SqlReview;
  /** The score band the rep queue sorts by (see scoreBand); absent on leads written before bands. */
  scoreBand?: number;
  /** Optimistic-concurrency version: every write checks and bumps it. */
  version: number;
  /** What the engine needs to score the next event; absent on leads written before snapshots (replayed). */
  snapshot?: LeadSnapshot;
  /**
   * Set when an event was committed without folding it in (a replay too long for a request): the
   * stored score is behind until the stale-lead worker replays the lead.
   */
  stale?: boolean;
}

/**
 * The shape of every lead id (Pseudonyms.leadId). Ids that come from outside (a path, a Slack button) are
 * checked with it before they reach the store, so a change to how ids are derived changes this too.
 */
export const LeadId = z.string().check(z.regex(/^ld_[0-9a-f]{24}$/, "must be a lead id: ld_ and 24 hex digits"));

/** A lead named by its id, or by its email when it has an "@" (as the leads API takes it). */
export const LeadIdOrEmail = z.string().check(
  z.maxLength(254, { abort: true }),
  z.refine(
    (value) => (value.includes("@") ? Email : LeadId).safeParse(value).success,
    "must be a lead id (ld_ and 24 hex digits) or an email address",
  ),
);

/**
 * The rep queue orders a stage by score band, refreshed when the stage changes and by the daily sweep,
 * so a webhook that moves a score inside its band rewrites no index; each page is then ordered by the
 * exact score. A band is this many points wide.
 */
export const SCORE_BAND_WIDTH = 10;
export function scoreBand(score: number): number {
  return Math.floor(score / SCORE_BAND_WIDTH);
}

/** Personal mailboxes: no company account to roll up, and one hot partition if indexed. */
const FREE_MAIL = new Set([
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "yahoo.co.uk",
  "hotmail.com",
  "outlook.com",
  "live.com",
  "msn.com",
  "aol.com",
  "icloud.com",
  "me.com",
  "mac.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "gmx.de",
  "gmx.net",
  "web.de",
  "mail.com",
  "yandex.com",
  "yandex.ru",
  "zoho.com",
  "qq.com",
  "163.com",
  "126.com",
  "orange.fr",
  "free.fr",
  "laposte.net",
  "libero.it",
  "seznam.cz",
  "fastmail.com",
  "hey.com",
  "tutanota.com",
]);
export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL.has(domain);
}

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/**
 * Who moved a lead: a model rule, a rep, the system applying a model version, or a bulk import of
 * history (its moves are in the past: recorded quiet, alerting no one).
 */
export interface Actor {
  type: "rule" | "rep" | "model" | "import";
  id: string;
}

/** Who the lead is, as an alert names them. */
export interface LeadContact {
  name?: string;
  email: string;
  company?: string;
  domain: string;
}

/** What a stage change and a wait for review both carry to their alert: the lead as it stood then. */
export interface LeadAtMoment {
  modelVersion: string;
  score: number;
  /** Top reasons from the explanation at that moment. */
  reasons: RuleHit[];
  bant: Bant;
  /** The lead's owner, or the rep the model routes it to. */
  owner?: Owner;
  lead: LeadContact;
  /** The event that caused it, when one did. */
  eventId?: string;
  /**
   * Recorded and published (the funnel counts it) but alerting no one: an import's, a sweep's catching up
   * on history, or a rescore's made without `--notify` (a new model applied to every lead would otherwise
   * alert every rep about every lead it moved, at once).
   */
  quiet?: boolean;
}

/** A change of stage, stored beside the lead; drives alerts, the audit trail and the funnel. */
export interface Transition extends LeadAtMoment {
  transitionId: string;
  leadId: string;
  from: Stage | null;
  to: Stage;
  at: string;
  reason: string;
  actor: Actor;
  /** The lead's first-touch attribution, so the funnel groups every move of a lead under one source. */
  source?: string;
  campaign?: string;
}

/**
 * A lead began to wait for review (stages.sqlReview): what its owner is asked to Qualify or Disqualify.
 * Stored beside the lead with the write that started the wait, once per wait (its `since`); it leaves
 * through the stream as `Lead SQL Ready`, and the funnel counts waits by it.
 */
export interface SqlReadyRequest extends LeadAtMoment {
  /** Deterministic per lead and wait (sqlReadyId), so writing it again never makes a second one. */
  requestId: string;
  leadId: string;
  /** When the wait began: the lead's review.since. */
  since: string;
  /** The stage the lead waits in, and the sql (or sqo) rule that holds it. */
  stage: Stage;
  ruleId: string;
  reason: string;
}
