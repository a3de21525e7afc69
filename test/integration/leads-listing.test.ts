import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { batchWrite } from "#shared/adapters/dynamodb/batch";
import { bandSortKey, enteredSortKey, leadItem, stageShard } from "#shared/adapters/dynamodb/entities/lead";
import { dynamoDomainIndex, dynamoLeadBatchReader, dynamoStageIndex } from "#shared/adapters/dynamodb/lead-queries";
import { readAccount } from "#shared/application/account";
import { type LeadPage, type ListLeadsQuery, listLeads, StageListingQuery } from "#shared/application/list-leads";
import { AccountNotFoundError, InvalidQueryError } from "#shared/domain/errors";
import { type Lead, scoreBand } from "#shared/domain/lead";
import { createTestTable } from "../support/dynamodb";
import { testPseudonyms } from "../support/pseudonyms";
import { leadFixture, REP_A, REP_B } from "../unit/leads/fixtures";

let list: ReturnType<typeof listLeads>;
let account: ReturnType<typeof readAccount>;
const seeded: Lead[] = [];

/** 61 mql leads (scores with ties, three owners), 9 sql leads, one account of 4 at acme.example. */
function seedLeads(): Lead[] {
  const leads: Lead[] = [];
  for (let index = 0; index < 61; index++) {
    leads.push(
      leadFixture({
        email: `mql-${index}@${index < 4 ? "acme.example" : "people.example"}`,
        stage: "mql",
        // Every fourth score repeats: ties are broken by lead id, so the order stays total.
        score: 30 + (index % 4 === 0 ? 7 : index * 0.75),
        stageEnteredAt: new Date(Date.UTC(2026, 10, 1, 0, index * 7)).toISOString(),
        ...(index % 3 === 0 && { owner: REP_A }),
        ...(index % 3 === 1 && { owner: REP_B }),
      }),
    );
  }
  for (let index = 0; index < 9; index++) {
    leads.push(leadFixture({ email: `sql-${index}@people.example`, stage: "sql", score: 70 + index, owner: REP_A }));
  }
  leads.push(leadFixture({ email: "boss@acme.example", stage: "sqo", score: 95 }));
  return leads;
}

async function seed(client: DynamoDBClient, tableName: string) {
  seeded.push(...seedLeads());
  await batchWrite(
    client,
    tableName,
    seeded.map((lead) => ({ PutRequest: { Item: leadItem(lead) } })),
  );
}

beforeAll(async () => {
  const { client, tableName } = await createTestTable("leads-listing");
  await seed(client, tableName);
  const table = { client, tableName };
  const leads = dynamoLeadBatchReader(table);
  list = listLeads({ index: dynamoStageIndex(table), leads, pseudonyms: testPseudonyms });
  account = readAccount({ domains: dynamoDomainIndex(table), leads });
});

const query = (parameters: Record<string, string>) => StageListingQuery.parse(parameters) as ListLeadsQuery;

/** Every page of a listing, following `next`. */
async function allPages(parameters: Record<string, string>): Promise<LeadPage[]> {
  const pages: LeadPage[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(query({ ...parameters, ...(cursor && { cursor }) }));
    pages.push(page);
    cursor = page.next;
    if (pages.length > 100) throw new Error("pagination does not end");
  } while (cursor);
  return pages;
}

const ids = (pages: LeadPage[]) => pages.flatMap((page) => page.leads.map((lead) => lead.leadId));
const byKeyDescending = (key: (lead: Lead) => string) => (a: Lead, b: Lead) => (key(a) < key(b) ? 1 : -1);
const scoreSortKey = (score: number, leadId: string) => bandSortKey(scoreBand(score), leadId);
/** Leads in index order (by band) cut into pages, each page ordered by exact score (ties keep index order). */
function paged(leads: readonly Lead[], size: number, order: "asc" | "desc" = "desc"): string[] {
  const out: string[] = [];
  for (let start = 0; start < leads.length; start += size) {
    const page = leads.slice(start, start + size);
    page.sort((a, b) => (order === "desc" ? b.score - a.score : a.score - b.score));
    out.push(...page.map((lead) => lead.leadId));
  }
  return out;
}

describe("GET /leads?stage= over the sharded stage indexes", () => {
  it("pages through a stage by score across every shard: stable order, no duplicates, no gaps", async () => {
    const mql = seeded.filter((lead) => lead.stage === "mql");
    expect(new Set(mql.map((lead) => stageShard(lead.leadId))).size).toBeGreaterThan(4);
    const expected = paged([...mql].sort(byKeyDescending((lead) => scoreSortKey(lead.score, lead.leadId))), 7);

    const pages = await allPages({ stage: "mql", limit: "7" });

    expect(ids(pages)).toEqual(expected);
    expect(pages.slice(0, -1).every((page) => page.leads.length === 7)).toBe(true);
    expect(pages.at(-1)?.next).toBeUndefined();
  });

  it("gives the same pages when asked again with the same cursors", async () => {
    const first = await list(query({ stage: "mql", limit: "10" }));
    const second = await list(query({ stage: "mql", limit: "10", cursor: first.next as string }));
    const again = await list(query({ stage: "mql", limit: "10", cursor: first.next as string }));

    expect(again).toEqual(second);
    expect(second.leads.map((lead) => lead.leadId)).not.toContain(first.leads[0]?.leadId);
  });

  it("sorts by time entered, longest waiting first, and ascending scores on request", async () => {
    const mql = seeded.filter((lead) => lead.stage === "mql");
    const byEntered = [...mql]
      .sort((a, b) =>
        enteredSortKey(a.stageEnteredAt, a.leadId) < enteredSortKey(b.stageEnteredAt, b.leadId) ? -1 : 1,
      )
      .map((lead) => lead.leadId);
    const byScoreAscending = paged(
      [...mql].sort(byKeyDescending((lead) => scoreSortKey(lead.score, lead.leadId))).reverse(),
      25,
      "asc",
    );

    expect(ids(await allPages({ stage: "mql", sort: "entered", limit: "9" }))).toEqual(byEntered);
    expect(ids(await allPages({ stage: "mql", order: "asc", limit: "25" }))).toEqual(byScoreAscending);
  });

  it("merges several stages into one order", async () => {
    const wanted = seeded.filter((lead) => lead.stage === "mql" || lead.stage === "sql");
    const expected = paged([...wanted].sort(byKeyDescending((lead) => scoreSortKey(lead.score, lead.leadId))), 8);

    const pages = await allPages({ stage: "sql,mql", limit: "8" });

    expect(ids(pages)).toEqual(expected);
    expect(pages[0]?.leads[0]?.stage).toBe("sql");
  });

  it("filters by owner without gaps: every lead of that rep, in order, pages full until the last", async () => {
    const expected = paged(
      seeded
        .filter((lead) => lead.stage === "mql" && lead.owner?.id === REP_B.id)
        .sort(byKeyDescending((lead) => scoreSortKey(lead.score, lead.leadId))),
      6,
    );

    const pages = await allPages({ stage: "mql", owner: REP_B.id, limit: "6" });

    expect(ids(pages)).toEqual(expected);
    expect(pages.flatMap((page) => page.leads).every((lead) => lead.owner?.id === REP_B.id)).toBe(true);
    expect(pages.slice(0, -1).every((page) => page.leads.length === 6)).toBe(true);
  });

  it("answers an empty stage with no leads and no cursor", async () => {
    expect(await list(query({ stage: "sal" }))).toEqual({ leads: [] });
  });

  it("refuses a cursor from another query, or one it never issued", async () => {
    const page = await list(query({ stage: "mql", limit: "5" }));
    const tampered = Buffer.from(JSON.stringify({ v: 1, q: "0".repeat(16), p: { "mql.0": "x" } })).toString(
      "base64url",
    );

    await expect(list(query({ stage: "sql", cursor: page.next as string }))).rejects.toBeInstanceOf(InvalidQueryError);
    await expect(list(query({ stage: "mql", sort: "entered", cursor: page.next as string }))).rejects.toBeInstanceOf(
      InvalidQueryError,
    );
    await expect(list(query({ stage: "mql", cursor: tampered }))).rejects.toBeInstanceOf(InvalidQueryError);
    await expect(list(query({ stage: "mql", cursor: "not base64 json" }))).rejects.toBeInstanceOf(InvalidQueryError);
  });

  it("finds a lead by email, whatever its case", async () => {
    const page = await list({ email: "sql-3@people.example" });
    const none = await list({ email: "nobody@people.example" });

    expect(page.leads).toHaveLength(1);
    expect(page.leads[0]).toMatchObject({ email: "sql-3@people.example", stage: "sql", owner: { id: REP_A.id } });
    expect(none).toEqual({ leads: [] });
  });
});

describe("GET /accounts/{domain}", () => {
  it("rolls up a company's leads: combined score, furthest stage, highest score first", async () => {
    const acme = seeded.filter((lead) => lead.domain === "acme.example");

    const view = await account("acme.example");

    expect(view.leadCount).toBe(5);
    expect(view.combinedScore).toBeCloseTo(
      acme.reduce((sum, lead) => sum + lead.score, 0),
      2,
    );
    expect(view.mostAdvancedStage).toBe("sqo");
    expect(view.leadsByStage).toEqual({ mql: 4, sqo: 1 });
    expect(view.leads[0]?.email).toBe("boss@acme.example");
    expect(view.truncated).toBe(false);
  });

  it("answers 404 for a domain with no leads", async () => {
    await expect(account("nobody.example")).rejects.toBeInstanceOf(AccountNotFoundError);
  });
});
