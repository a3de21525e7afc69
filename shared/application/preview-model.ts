import type { Lead } from "#shared/domain/lead";
import { type FoldResult, foldLead } from "#shared/domain/lead-fold";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import { funnelRank, STAGES, type Stage } from "#shared/domain/stages";
import { pageHistory, replayLead } from "./lead-replay";
import type { LeadStore } from "./ports/lead-store";
import { moveTally, type RunProgress, type StageChange, type Tally } from "./ports/runs";

export interface ModelPreview {
  asOf: string;
  currentVersion: string;
  candidateVersion: string;
  examined: number;
  before: Record<Stage, number>;
  after: Record<Stage, number>;
  /** Each lead whose stage would change, by lead id, with its email when the lead is still there. */
  changes: (StageChange & { email: string })[];
  /**
   * What the candidate would decide from scratch (every lead's events replayed as a new lead's): automatic
   * moves go forward only, so a stricter candidate moves no one, and this is where it shows.
   */
  fromScratch: Record<Stage, number>;
  /** The current MQLs and SQLs the candidate would not qualify as such from scratch. */
  notQualified: (StageChange & { email: string; fromScratch: Stage })[];
  /** The changes by move, most first. */
  moves: RunProgress["moves"];
}

export interface PreviewLeadDeps {
  store: LeadStore;
  current: ScoringEngine;
  candidate: ScoringEngine;
  /** The preview's instant: every lead is evaluated by both models at it. */
  now: Date;
}

/**
 * What-if for one stored lead, as a run's page brought it: evaluated by the current model (from its
 * snapshot when it can) and by the candidate (replayed, unless the two fold alike: the same fold hash) at the
 * same instant, so the difference is the model's alone (decay and recycle rules due now show in both).
 * Counts the stage before and after into `tally` (`before:<stage>`, `after:<stage>`) and returns the
 * change when the stage differs. Also replays the lead's events through the candidate as a new lead's
 * (`scratch:<stage>`): a current mql or sql the candidate would not reach from scratch is returned too,
 * with `fromScratch`. Guarantees: reads only; nothing is written.
 */
export const previewLead =
  (deps: PreviewLeadDeps) =>
  async (lead: Lead, tally: Tally, events?: readonly StoredEvent[]): Promise<StageChange | undefined> => {
    if (lead.eventCount === 0) return undefined;
    // The events the run's page brought with the lead, when they are all of them; else a Query, once.
    let history = pageHistory(lead, events);
    const fold = async (engine: ScoringEngine): Promise<FoldResult | undefined> => {
      const folded = foldLead({ engine, leadId: lead.leadId, current: lead, now: deps.now });
      if (folded) return folded;
      history ??= (await deps.store.loadEvents(lead.leadId, { consistent: true })).events;
      return replayLead({ store: deps.store, engine }, lead, deps.now, history);
    };
    const before = await fold(deps.current);
    const after = before && (await fold(deps.candidate));
    if (!before || !after) return undefined;
    history ??= (await deps.store.loadEvents(lead.leadId, { consistent: true })).events;
    const scratch = foldLead({
      engine: deps.candidate,
      leadId: lead.leadId,
      current: undefined,
      history,
      now: deps.now,
    });
    const count = (name: string) => {
      tally[name] = (tally[name] ?? 0) + 1;
    };
    count("examined");
    count(`before:${before.lead.stage}`);
    count(`after:${after.lead.stage}`);
    if (scratch) count(`scratch:${scratch.lead.stage}`);
    const moved = before.lead.stage !== after.lead.stage;
    if (moved) count(moveTally(before.lead.stage, after.lead.stage));
    const notQualified =
      scratch !== undefined &&
      QUALIFIED.has(before.lead.stage) &&
      funnelRank(scratch.lead.stage) < funnelRank(before.lead.stage);
    if (!moved && !notQualified) return undefined;
    return {
      leadId: lead.leadId,
      from: before.lead.stage,
      to: after.lead.stage,
      scoreBefore: before.lead.score,
      scoreAfter: after.lead.score,
      ruleId: after.transition?.actor.id ?? "(none)",
      reason: after.transition?.reason ?? `stays ${after.lead.stage}`,
      ...(notQualified && { fromScratch: scratch.lead.stage }),
    };
  };

/** The stages a preview asks of every lead in them: would the candidate still qualify it so? */
const QUALIFIED: ReadonlySet<Stage> = new Set(["mql", "sql"]);

/** A finished preview run as the reader sees it: counts per stage, and each change with its lead's email. */
export function modelPreview(
  progress: RunProgress,
  changes: readonly StageChange[],
  emails: ReadonlyMap<string, string>,
): ModelPreview {
  const perStage = (prefix: string) =>
    Object.fromEntries(STAGES.map((stage) => [stage, progress.tally[`${prefix}:${stage}`] ?? 0])) as Record<
      Stage,
      number
    >;
  const listed = [...changes]
    .sort((a, b) => (a.leadId < b.leadId ? -1 : 1))
    .map((change) => ({ ...change, email: emails.get(change.leadId) ?? "(erased)" }));
  return {
    asOf: progress.run.asOf,
    currentVersion: progress.run.model.version,
    candidateVersion: progress.run.candidate?.version ?? progress.run.model.version,
    examined: progress.tally.examined ?? 0,
    before: perStage("before"),
    after: perStage("after"),
    changes: listed.filter((change) => change.from !== change.to),
    fromScratch: perStage("scratch"),
    notQualified: listed.filter(
      (change): change is (typeof listed)[number] & { fromScratch: Stage } => change.fromScratch !== undefined,
    ),
    moves: progress.moves,
  };
}
