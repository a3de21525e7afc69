import type { StageIndex } from "#shared/application/ports/lead-reads";
import { STAGES } from "#shared/domain/stages";

/** Where a walk over every stored lead stands: a stage (by position), a shard, and the last key read. */
export interface WalkPosition {
  stage: number;
  shard: number;
  after?: string;
}

export interface LeadPage {
  leadIds: string[];
  /** Where the next page starts: save it to resume. */
  next: WalkPosition | undefined;
}

/**
 * Every stored lead, a page at a time, through the sharded stage indexes (every stage, every shard,
 * oldest entry first): no table Scan. A lead that moves stage during the walk may be met twice, so
 * callers must be idempotent per lead.
 */
export async function* walkStoredLeads(
  index: StageIndex,
  from: WalkPosition = { stage: 0, shard: 0 },
  pageSize = 100,
): AsyncGenerator<LeadPage> {
  let position: WalkPosition | undefined = from;
  while (position) {
    const stage = STAGES[position.stage];
    if (stage === undefined) return;
    const page = await index.read({
      partition: { stage, shard: position.shard },
      sort: "entered",
      order: "asc",
      after: position.after,
      limit: pageSize,
    });
    const last = page.entries.at(-1)?.sortKey;
    if (page.more && last !== undefined) position = { ...position, after: last };
    else if (position.shard + 1 < index.shards) position = { stage: position.stage, shard: position.shard + 1 };
    else position = position.stage + 1 < STAGES.length ? { stage: position.stage + 1, shard: 0 } : undefined;
    yield { leadIds: page.entries.map((entry) => entry.leadId), next: position };
  }
}

/** How many leads the indexes hold (keys only): the total a progress bar counts towards. */
export async function countStoredLeads(index: StageIndex): Promise<number> {
  let total = 0;
  for await (const page of walkStoredLeads(index, undefined, 1000)) total += page.leadIds.length;
  return total;
}
