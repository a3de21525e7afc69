import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LeadPage, listLeads, MAX_EXAMINED, StageListingQuery } from "#shared/application/list-leads";
import { encodeCursor } from "#shared/application/listing/lead-cursor";
import type { LeadBatchReader, StageIndex } from "#shared/application/ports/lead-reads";
import { InvalidQueryError } from "#shared/domain/errors";
import type { Lead } from "#shared/domain/lead";
import { STAGES, type Stage } from "#shared/domain/stages";
import { testPseudonyms } from "../../support/pseudonyms";
import { leadFixture, REP_A, REP_B } from "./fixtures";

const SHARDS = 3;
const shardOf = (lead: Lead) => Number.parseInt(lead.leadId.slice(-2), 16) % SHARDS;
const scoreKey = (lead: Lead) => `${String(Math.round(lead.score * 100)).padStart(8, "0")}#${lead.leadId}`;
const enteredKey = (lead: Lead) => `${lead.stageEnteredAt}#${lead.leadId}`;

/** The stage index over an array, with the DynamoDB semantics the use case relies on. */
function memoryIndex(leads: readonly Lead[]): StageIndex {
  return {
    shards: SHARDS,
    async read({ partition, sort, order, after, limit }) {
      const key = sort === "score" ? scoreKey : enteredKey;
      const entries = leads
        .filter((lead) => lead.stage === partition.stage && shardOf(lead) === partition.shard)
        .map((lead) => ({ sortKey: key(lead), leadId: lead.leadId }))
        .sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1));
      if (order === "desc") entries.reverse();
      const start =
        after === undefined
          ? 0
          : entries.findIndex((entry) => (order === "asc" ? entry.sortKey > after : entry.sortKey < after));
      const rest = start === -1 ? [] : entries.slice(start);
      return { entries: rest.slice(0, limit), more: rest.length > limit };
    },
  };
}

function memoryLeads(leads: readonly Lead[]): LeadBatchReader {
  return {
    async getLeads(leadIds) {
      return new Map(leads.filter((lead) => leadIds.includes(lead.leadId)).map((lead) => [lead.leadId, lead]));
    },
  };
}

async function everyPage(leads: readonly Lead[], parameters: Record<string, string>): Promise<LeadPage[]> {
  const list = listLeads({ index: memoryIndex(leads), leads: memoryLeads(leads), pseudonyms: testPseudonyms });
  const pages: LeadPage[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(StageListingQuery.parse({ ...parameters, ...(cursor && { cursor }) }));
    pages.push(page);
    cursor = page.next;
  } while (cursor && pages.length < 500);
  return pages;
}

const sinceOf = (minute: number) => new Date(Date.UTC(2026, 10, 1, 1, minute)).toISOString();

const arbitraryLeads = fc
  .uniqueArray(
    fc.record({
      id: fc.integer({ min: 0, max: 10_000 }),
      stage: fc.constantFrom<Stage>("lead", "mql", "sql"),
      score: fc.integer({ min: 0, max: 20 }),
      minute: fc.integer({ min: 0, max: 30 }),
      owner: fc.constantFrom(undefined, REP_A, REP_B),
      waiting: fc.boolean(),
    }),
    { selector: (lead) => lead.id, maxLength: 60 },
  )
  .map((records) =>
    records.map((record) =>
      leadFixture({
        email: `p${record.id}@example.com`,
        stage: record.stage,
        score: record.score,
        stageEnteredAt: new Date(Date.UTC(2026, 10, 1, 0, record.minute)).toISOString(),
        ...(record.owner && { owner: record.owner }),
        ...(record.waiting && { review: { since: sinceOf(record.minute), ruleId: "demo-done", reason: "Demo" } }),
      }),
    ),
  );

describe("listing leads across stage shards", () => {
  it("returns exactly the matching leads, in index order, once each, whatever the page size", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryLeads,
        fc.integer({ min: 1, max: 12 }),
        fc.subarray(["lead", "mql", "sql"], { minLength: 1 }),
        fc.constantFrom("score", "entered"),
        fc.constantFrom(undefined, REP_A.id),
        fc.constantFrom(undefined, "waiting"),
        async (leads, limit, stages, sort, owner, review) => {
          const key = sort === "score" ? scoreKey : enteredKey;
          const expected = leads
            .filter(
              (lead) =>
                stages.includes(lead.stage) &&
                (owner === undefined || lead.owner?.id === owner) &&
                (review === undefined || lead.review !== undefined),
            )
            .sort((a, b) => (key(a) < key(b) ? -1 : 1))
            .map((lead) => lead.leadId);
          if (sort === "score") expected.reverse();

          const pages = await everyPage(leads, {
            stage: stages.join(","),
            sort,
            limit: String(limit),
            ...(owner && { owner }),
            ...(review && { review }),
          });

          expect(pages.flatMap((page) => page.leads.map((lead) => lead.leadId))).toEqual(expected);
          expect(pages.slice(0, -1).every((page) => page.leads.length === limit)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("lists the leads waiting for review with since when and the rule, and only those", async () => {
    const review = { since: "2026-11-02T09:00:00.000Z", ruleId: "demo-done", reason: "Demo completed" };
    const waiting = leadFixture({ email: "waiting@example.com", stage: "mql", score: 30, review });
    const other = leadFixture({ email: "other@example.com", stage: "mql", score: 90 });
    const list = listLeads({
      index: memoryIndex([waiting, other]),
      leads: memoryLeads([waiting, other]),
      pseudonyms: testPseudonyms,
    });

    const queue = await list(StageListingQuery.parse({ stage: "lead,mql,sal,recycled", review: "waiting" }));
    const all = await list(StageListingQuery.parse({ stage: "mql" }));

    expect(queue.leads).toEqual([expect.objectContaining({ email: "waiting@example.com", review })]);
    expect(all.leads.map((lead) => [lead.email, lead.review])).toEqual([
      ["other@example.com", undefined],
      ["waiting@example.com", review],
    ]);
    expect(StageListingQuery.safeParse({ stage: "mql", review: "done" }).success).toBe(false);
  });

  it("stops after MAX_EXAMINED entries and hands back a cursor when an owner is rare", async () => {
    const leads = Array.from({ length: MAX_EXAMINED + 50 }, (_, index) =>
      leadFixture({
        email: `bulk${index}@example.com`,
        score: index % 97,
        ...(index === MAX_EXAMINED + 10 && { owner: REP_B }),
      }),
    );
    const list = listLeads({ index: memoryIndex(leads), leads: memoryLeads(leads), pseudonyms: testPseudonyms });

    const first = await list(StageListingQuery.parse({ stage: "mql", owner: REP_B.id, limit: "5" }));

    expect(first.leads.length).toBeLessThanOrEqual(1);
    expect(first.next).toBeDefined();
    const rest = await list(StageListingQuery.parse({ stage: "mql", owner: REP_B.id, limit: "5", cursor: first.next }));
    expect([...first.leads, ...rest.leads].map((lead) => lead.owner?.id)).toEqual([REP_B.id]);
  });

  it("skips a lead whose item no longer matches its index entry (the index lags the table)", async () => {
    const moved = leadFixture({ email: "moved@example.com", stage: "sql", score: 90 });
    const stayed = leadFixture({ email: "stayed@example.com", stage: "mql", score: 10 });
    const index = memoryIndex([{ ...moved, stage: "mql" }, stayed]);
    const list = listLeads({ index, leads: memoryLeads([moved, stayed]), pseudonyms: testPseudonyms });

    const page = await list(StageListingQuery.parse({ stage: "mql" }));

    expect(page.leads.map((lead) => lead.email)).toEqual(["stayed@example.com"]);
  });

  it("refuses cursors for partitions the query does not read", async () => {
    const list = listLeads({ index: memoryIndex([]), leads: memoryLeads([]), pseudonyms: testPseudonyms });
    const page = await list(StageListingQuery.parse({ stage: "mql" }));
    expect(page).toEqual({ leads: [] });

    const cursor = encodeCursor("0123456789abcdef", { "sqo.1": 1 });
    await expect(list(StageListingQuery.parse({ stage: "mql", cursor }))).rejects.toBeInstanceOf(InvalidQueryError);
  });

  it("accepts the longest cursor it can issue: every stage, every shard, mid-way", () => {
    const position = Object.fromEntries(
      STAGES.flatMap((stage) =>
        Array.from({ length: 8 }, (_, shard) => [`${stage}.${shard}`, `2026-11-05T10:00:00.000Z#ld_${"f".repeat(24)}`]),
      ),
    );

    const cursor = encodeCursor("0123456789abcdef", position);

    expect(StageListingQuery.safeParse({ stage: STAGES.join(","), cursor }).success).toBe(true);
  });

  it("validates the query: known stages, a bounded limit, no unknown parameters", () => {
    expect(StageListingQuery.safeParse({ stage: "mql,sql" }).data?.stage).toEqual(["mql", "sql"]);
    expect(StageListingQuery.safeParse({ stage: "ripe" }).success).toBe(false);
    expect(StageListingQuery.safeParse({ stage: "mql", limit: "101" }).success).toBe(false);
    expect(StageListingQuery.safeParse({ stage: "mql", stages: "sql" }).success).toBe(false);
    expect(STAGES.every((stage) => StageListingQuery.safeParse({ stage }).success)).toBe(true);
  });
});
