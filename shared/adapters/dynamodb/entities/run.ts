import type { LeadRun, RunPart, StageChange } from "#shared/application/ports/runs";
import { EXPIRES_AT, entityItem, type Item, strip } from "./item";

/**
 * Batch runs over the leads (rescore, preview, sweep): a run's items share its partition,
 *   pk RUN#<runId>  sk RUN               what the run does (kind, models, budget)
 *                   sk PART#<nnnn>       one part: its source, ticket, position and tally
 *                   sk CHANGE#<leadId>   a preview's change of stage for one lead
 * and pk RUNS, sk <the work's key> points to the run doing that work. All of them expire (`expiresAt`).
 */
export const RUN = "run";
export const RUN_PART = "run-part";
export const RUN_CHANGE = "run-change";
export const RUN_POINTER = "run-pointer";

export const runPk = (runId: string) => `RUN#${runId}`;
export const RUN_SK = "RUN";
export const PART_PREFIX = "PART#";
export const partSk = (part: number) => `${PART_PREFIX}${String(part).padStart(4, "0")}`;
export const CHANGE_PREFIX = "CHANGE#";
export const changeSk = (leadId: string) => `${CHANGE_PREFIX}${leadId}`;
export const RUNS_PK = "RUNS";

export const runItem = (run: LeadRun, expiresAt: number): Item =>
  entityItem(RUN, runPk(run.runId), RUN_SK, { ...run, [EXPIRES_AT]: expiresAt });

export const partItem = (runId: string, part: RunPart, expiresAt: number): Item =>
  entityItem(RUN_PART, runPk(runId), partSk(part.part), { ...part, [EXPIRES_AT]: expiresAt });

export const changeItem = (runId: string, change: StageChange, expiresAt: number): Item =>
  entityItem(RUN_CHANGE, runPk(runId), changeSk(change.leadId), { ...change, [EXPIRES_AT]: expiresAt });

/** The pointer from the work's key to the run doing it. */
export const pointerItem = (key: string, runId: string, expiresAt: number): Item =>
  entityItem(RUN_POINTER, RUNS_PK, key, { runId, [EXPIRES_AT]: expiresAt });

/** A run item's own fields (keys, `entity` and expiry left out), read back with unmarshall. */
function fieldsOf<T>(record: Record<string, unknown>): T {
  const { [EXPIRES_AT]: _expires, ...fields } = strip<Record<string, unknown>>(record);
  return fields as T;
}

export const toRun = (record: Record<string, unknown>) => fieldsOf<LeadRun>(record);
export const toPart = (record: Record<string, unknown>) => fieldsOf<RunPart>(record);
export const toChange = (record: Record<string, unknown>) => fieldsOf<StageChange>(record);
