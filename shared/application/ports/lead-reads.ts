import type { LeadHistory } from "#shared/domain/calibration/training-set";
import type { Lead, Owner, SqlReview } from "#shared/domain/lead";
import type { Stage } from "#shared/domain/stages";

/** The two orders of a stage's leads: by stored score, or by when they entered the stage. */
export const LEAD_SORTS = ["score", "entered"] as const;
export type LeadSort = (typeof LEAD_SORTS)[number];
export type SortOrder = "asc" | "desc";

/** One shard of one stage in a stage index. */
export interface StagePartition {
  stage: Stage;
  shard: number;
}

/** An index entry: where it sorts, and the lead it points to. */
export interface StageIndexEntry {
  sortKey: string;
  leadId: string;
}

/** The sharded stage indexes (AP4). Keys only: lead items are read with LeadBatchReader. */
export interface StageIndex {
  readonly shards: number;
  /**
   * Up to `limit` entries of one partition in index order, strictly after `after` (a sortKey from an
   * earlier read). `more` is false when the partition has nothing after the last entry returned.
   */
  read(request: {
    partition: StagePartition;
    sort: LeadSort;
    order: SortOrder;
    after: string | undefined;
    limit: number;
  }): Promise<{ entries: StageIndexEntry[]; more: boolean }>;
}

/** Leads by id, read in batches. Ids with no lead are absent from the map. */
export interface LeadBatchReader {
  getLeads(leadIds: readonly string[]): Promise<Map<string, Lead>>;
}

/**
 * Every stored lead's history in one pass over the table, cut into `segments` parts meant to be read side
 * by side (a parallel Scan in DynamoDB: all of a lead's items fall in one part).
 */
export interface LeadHistoryScan {
  readonly segments: number;
  /**
   * The histories of part `segment` (0 ≤ segment < segments), a page at a time. Every stored lead is in
   * exactly one part, once, with its events (an erased event's record is none) and, with `reachedSqo`,
   * when it first moved to sqo, with `decisions`, a rep's first qualify (→ sql) or disqualify; an erased
   * person without a lead again is no lead. Reads only, nothing
   * isolated: a lead written during the read may show older or newer events than its record counts.
   */
  read(segment: number, options: { reachedSqo: boolean; decisions?: boolean }): AsyncIterable<LeadHistory[]>;
}

/** The lead ids of a company domain (AP6). */
export interface DomainIndex {
  leadIdsOf(domain: string, limit: number): Promise<{ leadIds: string[]; truncated: boolean }>;
}

/** What a list shows of a lead: enough to pick it from a queue, without its answers or attributes. */
export interface LeadSummary {
  leadId: string;
  email: string;
  name?: string;
  company?: string;
  domain: string;
  stage: Stage;
  stageEnteredAt: string;
  score: number;
  fit: number;
  engagement: number;
  owner?: Owner;
  lastEventAt: string;
  /** Present while the lead waits for a rep's Qualify (stages.sqlReview): since when, and the sql rule. */
  review?: SqlReview;
}

/** Who the lead is: what alerts and lists name a lead by. */
export function leadContact(lead: Lead): Pick<Lead, "leadId" | "email" | "name" | "company" | "domain"> {
  return {
    leadId: lead.leadId,
    email: lead.email,
    ...(lead.name !== undefined && { name: lead.name }),
    ...(lead.company !== undefined && { company: lead.company }),
    domain: lead.domain,
  };
}

export function leadSummary(lead: Lead): LeadSummary {
  return {
    ...leadContact(lead),
    stage: lead.stage,
    stageEnteredAt: lead.stageEnteredAt,
    score: lead.score,
    fit: lead.fit,
    engagement: lead.engagement,
    ...(lead.owner && { owner: lead.owner }),
    lastEventAt: lead.lastEventAt,
    ...(lead.review && { review: lead.review }),
  };
}
