import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { dynamoLeadHistoryScan } from "#shared/adapters/dynamodb/lead-histories";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { parseModelText } from "#shared/adapters/model-file";
import { type CalibrateModelOptions, type CalibrationRun, calibrateModel } from "#shared/application/calibrate-model";
import { recordEvent } from "#shared/application/record-event";
import { candidateModelText, parseCalibrateArgs } from "#shared/cli/calibrate";
import { modelRules } from "#shared/domain/calibration/calibrate";
import { createEngine } from "#shared/domain/model/engine";
import { parseModel } from "#shared/domain/model/parse";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { leadEvent } from "../support/events";
import { testPseudonyms } from "../support/pseudonyms";

/** A small model: a demo is worth a lot, a pricing visit a little, enterprise companies some. */
const MODEL = {
  version: "calibration-test-1",
  fit: [
    {
      id: "enterprise",
      label: "Enterprise",
      when: { field: "attributes.segment", equals: "enterprise" },
      points: 10,
    },
  ],
  engagement: {
    rules: [
      { id: "demo", label: "Demo completed", on: "demo.completed", points: 20 },
      { id: "pricing", label: "Pricing page", on: "page.viewed", points: 5 },
    ],
  },
};
const MODEL_TEXT = stringify(MODEL);
const model = parseModel(MODEL);
const engine = createEngine(model);
const LEADS = 200;
const NOW = new Date("2026-09-01T00:00:00.000Z");

let table: TestTable;
let run: CalibrationRun;

/** Day `day` of 2026 at 10:00, plus `hours`. */
const at = (day: number, hours = 0) => new Date(Date.UTC(2026, 0, day, 10 + hours)).toISOString();

/**
 * Leads whose wins follow the demo and a plan nobody scores yet ("team"): a demo or the team plan wins,
 * pricing visits say nothing. Every fifth lead has no outcome yet. After each outcome, an event sets
 * `closedReason`: it must never become a feature.
 */
async function seed() {
  const record = recordEvent({
    pseudonyms: testPseudonyms,
    store: dynamoLeadStore(table),
    engine,
    clock: () => NOW,
    sleep: async () => {},
  });
  for (let index = 0; index < LEADS; index++) {
    const email = `lead${index}@company${index % 7}.example`;
    const day = 1 + (index % 150);
    const demo = index % 3 === 0;
    const team = index % 4 === 1;
    const events = [
      leadEvent({
        email,
        occurredAt: at(day),
        attributes: { segment: index % 2 === 0 ? "enterprise" : "smb", plan: team ? "team" : "solo" },
      }),
      leadEvent({ email, type: "page.viewed", occurredAt: at(day, 1), properties: { path: "/pricing" } }),
      ...(demo ? [leadEvent({ email, type: "demo.completed", occurredAt: at(day, 2) })] : []),
    ];
    if (index % 5 !== 4) {
      const won = demo || team;
      events.push(leadEvent({ email, type: won ? "opportunity.won" : "opportunity.lost", occurredAt: at(day + 10) }));
      events.push(leadEvent({ email, occurredAt: at(day + 11), attributes: { closedReason: won ? "price" : "fit" } }));
    }
    for (const event of events) await record(event);
  }
}

const OPTIONS: CalibrateModelOptions = {
  label: "won",
  holdout: 0.25,
  minimumPerClass: 30,
  candidates: { minSupport: 10 },
};

/** The calibration over the test table, read in `segments` parts of pages of `pageItems` items. */
const calibrateTable = (read: { segments: number; pageItems?: number }) =>
  calibrateModel({
    histories: dynamoLeadHistoryScan({ ...table, ...read }),
    engine,
    modelRules: modelRules(model),
    clock: () => NOW,
  })(OPTIONS);

beforeAll(async () => {
  table = await createTestTable("calibrate-model");
  await seed();
  run = await calibrateTable({ segments: 4 });
}, 120_000);

afterAll(() => table?.client.destroy());

describe("calibrating the model on the stored leads' outcomes", () => {
  it("reads every stored lead once, labels those with an outcome and splits them by time", () => {
    expect(run.leads).toBe(LEADS);
    expect(run.unlabelled).toBe(LEADS / 5);
    const { train, holdout } = run.report;
    expect(train.leads + holdout.leads).toBe(LEADS - LEADS / 5);
    expect(holdout.leads).toBe(40);
    expect(run.cutoff).toBeDefined();
  });

  it("finds what wins: the demo and the team plan gain points, the pricing visit does not", () => {
    // Prepare
    const suggested = new Map(run.report.suggestions.map((suggestion) => [suggestion.id, suggestion.suggestedPoints]));

    // Assess
    expect(suggested.get("demo")).toBeGreaterThan(suggested.get("pricing") ?? 0);
    expect(suggested.get("attr:plan=team")).toBeGreaterThan(0);
    expect(suggested.get("attr:plan=solo")).toBeLessThan(suggested.get("attr:plan=team") ?? 0);
    expect(run.report.holdout.calibrated.rocAuc).toBeGreaterThan(run.report.holdout.current.rocAuc);
  });

  it("gives the same report for the same table, however its parts and pages cut it", async () => {
    // Act
    const again = [await calibrateTable({ segments: 4 }), await calibrateTable({ segments: 3, pageItems: 7 })];

    // Assess
    for (const other of again) expect(other).toEqual(run);
  });

  it("never learns from what happened after the outcome", () => {
    expect(run.report.candidates.map((candidate) => candidate.attribute)).not.toContain("closedReason");
  });

  it("writes a candidate model that validates, with the suggested points and the new fit rules", () => {
    // Act
    const text = candidateModelText(MODEL_TEXT, run.report);
    const candidate = parseModelText(text, "candidate.yaml");

    // Assess
    const demo = candidate.engagement.rules.find((rule) => rule.id === "demo");
    const suggestedDemo = run.report.suggestions.find((suggestion) => suggestion.id === "demo")?.suggestedPoints;
    expect(demo?.points).toBe(suggestedDemo);
    expect(candidate.version).toBe("calibration-test-1-calibrated");
    expect(candidate.fit.some((rule) => rule.id === "calibrated.plan.team")).toBe(true);
  });
});

describe("the calibrate command line", () => {
  it("takes its flags with their defaults, and refuses what it cannot use", () => {
    expect(parseCalibrateArgs([])).toMatchObject({ label: "won", holdout: 0.3, json: false, "min-outcomes": 100 });
    expect(parseCalibrateArgs(["--label", "sqo", "--holdout", "0.2", "--within", "90", "--json"])).toMatchObject({
      label: "sqo",
      holdout: 0.2,
      within: 90,
      json: true,
    });
    expect(parseCalibrateArgs([])).toMatchObject({ segments: 32 });
    expect(parseCalibrateArgs(["--segments", "8"])).toMatchObject({ segments: 8 });
    expect(parseCalibrateArgs(["--segments", "0"])).toMatch(/--segments/);
    expect(parseCalibrateArgs(["--holdout", "1.5"])).toMatch(/--holdout/);
    expect(parseCalibrateArgs(["--label", "qualified"])).toMatchObject({ label: "qualified" });
    expect(parseCalibrateArgs(["--label", "maybe"])).toMatch(/--label/);
    expect(parseCalibrateArgs(["--nonsense", "1"])).toMatch(/usage/);
  });
});
