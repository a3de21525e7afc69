import * as z from "zod/mini";
import { Email } from "#shared/domain/lead-event";
import { Stage } from "#shared/domain/stages";
import { decodeCursor, encodeCursor, type ListPosition, queryFingerprint } from "./listing/lead-cursor";
import { mergedStageReader } from "./listing/stage-merge";
import {
  LEAD_SORTS,
  type LeadBatchReader,
  type LeadSummary,
  leadSummary,
  type SortOrder,
  type StageIndex,
  type StagePartition,
} from "./ports/lead-reads";
import type { PseudonymSource } from "./ports/lead-store";

export const MAX_PAGE = 100;
/**
 * Index entries one request may examine. The owner filter is applied to lead items, so a sparse owner
 * could otherwise read a whole stage in one request; past this the page is returned short, with a cursor.
 */
export const MAX_EXAMINED = 1000;

const stageList = z.pipe(
  z.pipe(
    z.string(),
    z.transform((value: string) => [...new Set(value.split(",").map((stage) => stage.trim()))]),
  ),
  z.array(Stage).check(z.minLength(1)),
);

/** GET /leads?email=: the lead with this email, as a list of zero or one. */
export const FindLeadQuery = z.strictObject({ email: Email });

/** GET /leads?stage=: a stage listing (the rep queue); several stages are merged in one order. */
export const StageListingQuery = z.strictObject({
  stage: stageList,
  owner: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(128))),
  // The SDR gate's queue (stages.sqlReview): only leads marked sql-ready, waiting for a rep's Qualify.
  review: z.optional(z.enum(["waiting"])),
  sort: z._default(z.enum(LEAD_SORTS), "score"),
  order: z.optional(z.enum(["asc", "desc"])),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_PAGE)), 25),
  // Up to 56 partitions (every stage, 8 shards) of about 80 bytes each, base64url-encoded.
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(8192))),
});

/** The schema for a GET /leads query: a lookup when it names an email, a listing otherwise. */
export const leadsQuerySchema = (parameters: Record<string, unknown> | undefined) =>
  parameters?.email !== undefined ? FindLeadQuery : StageListingQuery;
export type ListLeadsQuery = z.output<typeof FindLeadQuery> | z.output<typeof StageListingQuery>;

export interface LeadPage {
  leads: LeadSummary[];
  /** Present when there may be more: pass it back as `cursor` with the same query. */
  next?: string;
}

/**
 * Lists leads in one or more stages, by score (highest first) or by time entered (longest waiting
 * first), optionally only one owner's, or only those waiting for review (sql-ready: each shows since
 * when); or finds the lead with an email.
 * Input: a parsed FindLeadQuery or StageListingQuery. Output: one page and a cursor for the next.
 * Main course: every shard of every stage is read in index order and merged on the sort key; the lead
 * items of the merged entries are read in batches and filtered (owner, and a stage that moved since
 * the index was written). No Scan: each read is a Query on one index partition.
 * By score, the index holds each lead's score band (refreshed at stage changes and by the daily sweep, so
 * a band may lag the score by up to a day of decay or one band of engagement); pages follow the bands,
 * and each page is ordered by the exact score.
 * Guarantees: pages are stable and disjoint (keyset pagination on a total order), with no gaps while
 * the leads do not move; a lead that changes score or stage between pages may appear twice or not at all.
 */
export const listLeads =
  (deps: { index: StageIndex; leads: LeadBatchReader; pseudonyms: PseudonymSource }) =>
  async (query: ListLeadsQuery): Promise<LeadPage> => {
    if ("email" in query) {
      const found = await deps.leads.getLeads([(await deps.pseudonyms()).leadId(query.email)]);
      return { leads: [...found.values()].map(leadSummary) };
    }
    const order: SortOrder = query.order ?? (query.sort === "score" ? "desc" : "asc");
    const stages = [...query.stage].sort();
    const partitions: StagePartition[] = stages.flatMap((stage) =>
      Array.from({ length: deps.index.shards }, (_, shard) => ({ stage, shard })),
    );
    // A cursor names its query: one from a review queue never pages a plain listing (and back).
    const fingerprint = queryFingerprint({
      stages,
      owner: query.owner ?? null,
      sort: query.sort,
      order,
      ...(query.review && { review: query.review }),
    });
    const position: ListPosition = query.cursor ? decodeCursor(query.cursor, fingerprint, partitions) : {};
    const reader = mergedStageReader({
      index: deps.index,
      partitions,
      position,
      sort: query.sort,
      order,
      readSize: query.limit + 1,
    });

    const wanted = new Set(stages);
    const leads: LeadSummary[] = [];
    const seen = new Set<string>();
    let examined = 0;
    while (leads.length < query.limit && examined < MAX_EXAMINED) {
      const room = query.owner || query.review ? MAX_PAGE : query.limit - leads.length;
      const entries = await reader.take(Math.min(room, MAX_EXAMINED - examined));
      if (entries.length === 0) break;
      const items = await deps.leads.getLeads(entries.map((entry) => entry.leadId));
      for (const entry of entries) {
        if (leads.length === query.limit) break;
        reader.consume(entry);
        examined++;
        const lead = items.get(entry.leadId);
        // The index is eventually consistent: the lead item decides its stage.
        if (!lead || !wanted.has(lead.stage) || seen.has(lead.leadId)) continue;
        if (query.owner !== undefined && lead.owner?.id !== query.owner) continue;
        if (query.review === "waiting" && !lead.review) continue;
        seen.add(lead.leadId);
        leads.push(leadSummary(lead));
      }
    }
    // The index orders by score band; within the page, the exact score decides (stable: ties keep index order).
    if (query.sort === "score") leads.sort((a, b) => (order === "desc" ? b.score - a.score : a.score - b.score));
    const next = reader.position();
    return { leads, ...(next && { next: encodeCursor(fingerprint, next) }) };
  };
