import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoStageIndex } from "../../shared/adapters/dynamodb/lead-queries";
import { dynamoLeadStore } from "../../shared/adapters/dynamodb/lead-store";
import { previewModel } from "../../shared/application/preview-model";
import { rescoreLeads } from "../../shared/application/rescore-leads";
import { LeadEvent } from "../../shared/domain/lead-event";
import { createEngine } from "../../shared/domain/model/engine";
import { parseModel } from "../../shared/domain/model/parse";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { recordLeads } from "../support/pseudonyms";

// Preview and rescore over the real table: the stage indexes find every lead without a Scan.
const model = (version: string, threshold: number) =>
  createEngine(
    parseModel({
      version,
      engagement: { rules: [{ id: "form", label: "Form", on: "form.submitted", points: 30 }] },
      stages: { mql: [{ id: "mql", label: `Score ${threshold}+`, when: { score: { min: threshold } } }] },
    }),
  );
const current = model("v1", 50);
const candidate = model("v2", 25);
const now = new Date("2026-06-01T12:00:00.000Z");
let table: TestTable;

beforeAll(async () => {
  table = await createTestTable("model-rollout");
  const record = recordLeads({
    store: dynamoLeadStore(table),
    engine: current,
    clock: () => now,
  });
  for (const [email, forms] of [
    ["one@acme.example", 1],
    ["two@acme.example", 2],
    ["three@globex.example", 1],
  ] as const) {
    for (let index = 0; index < forms; index++) {
      await record(
        LeadEvent.parse({
          source: "generic",
          sourceEventId: `${email}-${index}`,
          type: "form.submitted",
          occurredAt: "2026-06-01T11:00:00.000Z",
          email,
        }),
      );
    }
  }
});

afterAll(() => table?.client.destroy());

describe("model rollout over DynamoDB", () => {
  it("previews the leads a candidate would move, then rescore moves exactly those, once", async () => {
    const store = dynamoLeadStore(table);
    const index = dynamoStageIndex(table);

    // The rollout comes after the events: the transitions it writes sort after the leads' first ones.
    const later = () => new Date(now.getTime() + 60_000);
    const preview = await previewModel({ index, store, current, candidate, clock: later })();
    const first = await rescoreLeads({ index, store, engine: candidate, clock: later })();
    const again = await rescoreLeads({ index, store, engine: candidate, clock: later })();

    expect(preview).toMatchObject({ examined: 3, before: { lead: 2, mql: 1 }, after: { lead: 0, mql: 3 } });
    expect(preview.changes.map((change) => change.email).sort()).toEqual(["one@acme.example", "three@globex.example"]);
    expect(first).toMatchObject({ rescored: 3, moved: 2, conflicts: 0 });
    expect(again).toMatchObject({ rescored: 0, current: 3 });
    const transitions = await store.listTransitions(preview.changes[0]?.leadId ?? "");
    expect(transitions.at(-1)).toMatchObject({ from: "lead", to: "mql", actor: { type: "model", id: "v2" } });
  });
});
