import { InvalidPayloadError, InvalidTransitionError } from "./errors";
import { type Actor, type Lead, type Owner, type RuleHit, scoreBand, type Transition } from "./lead";
import { transitionFor } from "./lead-fold";
import { topReasons } from "./scoring-engine";
import type { Stage } from "./stages";

/**
 * What a rep can do to a lead, as pure operations: the new lead (version + 1) and the transition to
 * store with it, or an error saying why the move is refused. The write path commits both atomically.
 *
 * - accept (→ sal, the rep becomes the owner): from lead, mql or recycled. On a lead at sal or beyond
 *   without an owner (the rules moved it to sql), it sets the owner and keeps the stage (no transition);
 *   with an owner, it is refused.
 * - qualify (→ sql): from lead, mql, sal or recycled.
 * - openOpportunity (→ sqo): from any open stage below sqo.
 * - disqualify (→ disqualified, reason required): from any stage but disqualified.
 * - recycle (→ recycled, reason required): from mql, sal, sql, sqo or disqualified.
 *
 * With the model's SDR gate on (stages.sqlReview), qualify is how a lead marked sql-ready reaches sql,
 * and disqualify how its owner turns it down: either ends the wait (the lead's `review`).
 */
export type RepAction =
  | { type: "accept"; owner: Owner }
  | { type: "qualify"; reason?: string; owner?: Owner }
  | { type: "openOpportunity"; reason?: string; owner?: Owner }
  | { type: "disqualify"; reason: string }
  | { type: "recycle"; reason: string };
export type RepActionType = RepAction["type"];

export interface RepActionResult {
  lead: Lead;
  /** Absent when the action changed the owner but not the stage. */
  transition?: Transition;
}

/** Stages past acceptance: accepting there only records the owner. */
const OWNED: ReadonlySet<Stage> = new Set(["sal", "sql", "sqo"]);

interface Rule {
  to: Stage;
  from: readonly Stage[];
  verb: string;
}

const RULES: Record<RepActionType, Rule> = {
  accept: { to: "sal", from: ["lead", "mql", "recycled"], verb: "accept" },
  qualify: { to: "sql", from: ["lead", "mql", "sal", "recycled"], verb: "qualify" },
  openOpportunity: { to: "sqo", from: ["lead", "mql", "sal", "sql", "recycled"], verb: "open an opportunity for" },
  disqualify: { to: "disqualified", from: ["lead", "mql", "sal", "sql", "sqo", "recycled"], verb: "disqualify" },
  recycle: { to: "recycled", from: ["mql", "sal", "sql", "sqo", "disqualified"], verb: "recycle" },
};

/** Why a stage refuses an action, in words a rep understands. */
function refusal(lead: Lead, action: RepAction): string {
  const rule = RULES[action.type];
  const who = lead.name ?? lead.email;
  if (lead.stage === rule.to) return `${who} is already ${lead.stage}`;
  if (lead.stage === "disqualified") return `${who} is disqualified; recycle it before you ${rule.verb} it`;
  if (action.type === "recycle" && lead.stage === "lead") return `${who} is a new lead, already in nurturing`;
  return `cannot ${rule.verb} ${who}: it is ${lead.stage} (allowed from ${rule.from.join(", ")})`;
}

/**
 * Applies a rep's action to a lead at `now`. `hits` is the lead's current explanation, whose top
 * reasons travel with the transition (and so with its alert).
 */
export function applyRepAction(
  lead: Lead,
  action: RepAction,
  actor: Actor,
  now: Date,
  hits: readonly RuleHit[] = [],
): RepActionResult {
  const reason = "reason" in action ? action.reason?.trim() : undefined;
  if ((action.type === "disqualify" || action.type === "recycle") && !reason)
    throw new InvalidPayloadError(`a reason is required to ${RULES[action.type].verb} a lead`);
  const owner = "owner" in action ? action.owner : undefined;
  const at = now.toISOString();

  if (action.type === "accept" && OWNED.has(lead.stage)) {
    if (lead.owner)
      throw new InvalidTransitionError(`${lead.name ?? lead.email} is already accepted by ${lead.owner.name}`);
    return { lead: { ...lead, owner: action.owner, acceptedAt: at, updatedAt: at, version: lead.version + 1 } };
  }
  const rule = RULES[action.type];
  if (!rule.from.includes(lead.stage)) throw new InvalidTransitionError(refusal(lead, action));

  // A decision on a lead waiting for review ends its wait; accepting it (→ sal) does not decide it.
  const { review, ...rest } = lead;
  const next: Lead = {
    ...rest,
    ...(review && action.type === "accept" && { review }),
    stage: rule.to,
    stageEnteredAt: at,
    ...((owner ?? lead.owner) && { owner: owner ?? lead.owner }),
    ...(action.type === "accept" && { acceptedAt: at }),
    updatedAt: at,
    scoreBand: scoreBand(lead.score),
    version: lead.version + 1,
  };
  const move = { stage: rule.to, reason: reason || defaultReason(action) };
  return { lead: next, transition: transitionFor(next, topReasons(hits), lead.stage, move, actor) };
}

function defaultReason(action: RepAction): string {
  switch (action.type) {
    case "accept":
      return `Accepted by ${action.owner.name}`;
    case "qualify":
      return "Qualified by a rep";
    case "openOpportunity":
      return "Opportunity opened by a rep";
    default:
      return action.type;
  }
}

/** accept: the rep takes ownership (→ sal). */
export const acceptLead = (lead: Lead, owner: Owner, actor: Actor, now: Date, hits?: readonly RuleHit[]) =>
  applyRepAction(lead, { type: "accept", owner }, actor, now, hits);

/** qualify: the rep confirms BANT and intent (→ sql). */
export const qualifyLead = (lead: Lead, actor: Actor, now: Date, reason?: string, hits?: readonly RuleHit[]) =>
  applyRepAction(lead, { type: "qualify", ...(reason !== undefined && { reason }) }, actor, now, hits);

/** openOpportunity: the rep confirms a real opportunity (→ sqo). */
export const openOpportunity = (lead: Lead, actor: Actor, now: Date, reason?: string, hits?: readonly RuleHit[]) =>
  applyRepAction(lead, { type: "openOpportunity", ...(reason !== undefined && { reason }) }, actor, now, hits);

/** disqualify: not a fit now; kept with the reason (→ disqualified). */
export const disqualifyLead = (lead: Lead, reason: string, actor: Actor, now: Date, hits?: readonly RuleHit[]) =>
  applyRepAction(lead, { type: "disqualify", reason }, actor, now, hits);

/** recycle: back to nurturing with the reason (→ recycled). */
export const recycleLead = (lead: Lead, reason: string, actor: Actor, now: Date, hits?: readonly RuleHit[]) =>
  applyRepAction(lead, { type: "recycle", reason }, actor, now, hits);

/** The actions a rep may take on a lead now, as applyRepAction would allow them (a page offers only these). */
export function offeredActions(lead: Pick<Lead, "stage" | "owner">): RepActionType[] {
  return (Object.keys(RULES) as RepActionType[]).filter((type) =>
    type === "accept" && OWNED.has(lead.stage) ? !lead.owner : RULES[type].from.includes(lead.stage),
  );
}
