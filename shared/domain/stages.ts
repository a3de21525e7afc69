import * as z from "zod/mini";

/** The lifecycle stages, in funnel order; `disqualified` and `recycled` sit outside the forward path. */
export const STAGES = ["lead", "mql", "sal", "sql", "sqo", "disqualified", "recycled"] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

/** Forward stages in order. A stage's rank decides whether a move is forward. */
export const FUNNEL: readonly Stage[] = ["lead", "mql", "sal", "sql", "sqo"];

/** Rank in the funnel; -1 for stages outside it (disqualified, recycled). */
export function funnelRank(stage: Stage): number {
  return FUNNEL.indexOf(stage);
}

/** Stages a lead can still progress from: the maintenance sweep and the rep queue look at these. */
export const OPEN_STAGES: readonly Stage[] = ["lead", "mql", "sal", "sql", "recycled"];

/**
 * True when moving from `from` to `to` is a step forward in the funnel (skips allowed). A recycled lead
 * re-enters at mql or beyond; a disqualified lead never moves forward automatically.
 */
export function isForward(from: Stage, to: Stage): boolean {
  const target = funnelRank(to);
  if (target < 0) return false;
  if (from === "recycled") return target >= 1;
  const origin = funnelRank(from);
  return origin >= 0 && target > origin;
}

/**
 * Whether any writer ever moves a lead from `from` (null: its creation) to `to`: the rules (forward,
 * disqualify, recycle from the stages a rule names, reopen from disqualified), a rep's actions, the sweep
 * and a rescore. A lead enters `lead` only when it is created or reopened, and a move changes the stage.
 */
export function canMove(from: Stage | null, to: Stage): boolean {
  if (from === to) return false;
  if (to === "disqualified") return true;
  if (to === "recycled") return from !== null;
  if (from === null || from === "disqualified") return true;
  return isForward(from, to);
}

/** Out of the funnel: a lead here is judged on what it did since it left (see lead-fold.ts). */
export function isOutOfFunnel(stage: Stage): boolean {
  return stage === "recycled" || stage === "disqualified";
}
