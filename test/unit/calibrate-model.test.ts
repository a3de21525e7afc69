import { describe, expect, it } from "vitest";
import { type CalibrateModelOptions, calibrateModel } from "#shared/application/calibrate-model";
import type { LeadHistoryScan } from "#shared/application/ports/lead-reads";
import { modelRules } from "#shared/domain/calibration/calibrate";
import { createEngine } from "#shared/domain/model/engine";
import { parseModel } from "#shared/domain/model/parse";
import { memoryLeadHistoryScan, memoryLeadStore } from "../support/memory-lead-store";
import { leadIdOf } from "../support/pseudonyms";
import { leadFixture, storedEvent, transitionFixture } from "./leads/fixtures";

const model = parseModel({
  version: "calibrate-unit-1",
  engagement: {
    rules: [
      { id: "demo", label: "Demo completed", on: "demo.completed", points: 20 },
      { id: "form", label: "Form", on: "form.submitted", points: 5 },
    ],
  },
});
const engine = createEngine(model);
const NOW = new Date("2026-09-01T00:00:00.000Z");
const LEADS = 120;
const OPTIONS: CalibrateModelOptions = { label: "won", holdout: 0.25, minimumPerClass: 10 };

const at = (day: number, hours = 0) => new Date(Date.UTC(2026, 0, day, 10 + hours)).toISOString();

/**
 * Leads in memory: a demo wins, a form alone loses; every fourth lead has no outcome, and every eighth
 * of those reached sqo (a rep opened an opportunity) on its third day.
 */
function storedLeads() {
  const memory = memoryLeadStore();
  for (let index = 0; index < LEADS; index++) {
    const email = `lead${index}@company${index % 9}.example`;
    const leadId = leadIdOf(email);
    const day = 1 + (index % 100);
    const demo = index % 3 === 0;
    const events = [
      storedEvent({ email, occurredAt: at(day), sourceEventId: `${index}-form` }),
      ...(demo
        ? [storedEvent({ email, type: "demo.completed", occurredAt: at(day, 1), sourceEventId: `${index}-demo` })]
        : []),
    ];
    if (index % 4 !== 3) {
      const type = demo ? "opportunity.won" : "opportunity.lost";
      events.push(storedEvent({ email, type, occurredAt: at(day + 10), sourceEventId: `${index}-outcome` }));
    } else if (index % 8 === 7) {
      memory.transitions.set(leadId, [transitionFixture({ leadId, from: "sql", to: "sqo", at: at(day + 2) })]);
    }
    memory.leads.set(leadId, leadFixture({ email, updatedAt: at(day) }));
    memory.events.set(leadId, events);
  }
  return memory;
}

const calibrateWith = (histories: LeadHistoryScan) =>
  calibrateModel({ histories, engine, modelRules: modelRules(model), clock: () => NOW });

describe("calibrateModel", () => {
  it("reads every part, each lead once, and gives the same report however the parts cut the leads", async () => {
    // Prepare
    const memory = storedLeads();
    const read: number[] = [];

    // Act
    const whole = await calibrateWith(memoryLeadHistoryScan(memory, 1, 1000))(OPTIONS);
    const parted = await calibrateModel({
      histories: memoryLeadHistoryScan(memory, 5, 3),
      engine,
      modelRules: modelRules(model),
      clock: () => NOW,
      progress: (leads) => read.push(leads),
    })(OPTIONS);

    // Assess
    expect(whole.leads).toBe(LEADS);
    expect(whole.unlabelled).toBe(LEADS / 4);
    expect(parted).toEqual(whole);
    expect(read.at(-1)).toBe(LEADS);
  });

  it("labels by sqo when asked: a lead that reached sqo without an outcome is positive", async () => {
    // Prepare
    const memory = storedLeads();
    const histories = memoryLeadHistoryScan(memory, 3);

    // Act
    const won = await calibrateWith(histories)(OPTIONS);
    const sqo = await calibrateWith(histories)({ ...OPTIONS, label: "sqo" });

    // Assess
    const positives = (run: typeof won) => run.report.train.positives + run.report.holdout.positives;
    expect(sqo.unlabelled).toBe(won.unlabelled - LEADS / 8);
    expect(positives(sqo)).toBe(positives(won) + LEADS / 8);
  });

  it("refuses a read that brings a lead twice rather than count it twice", async () => {
    // Prepare
    const memory = storedLeads();
    const once = memoryLeadHistoryScan(memory, 1);
    const twice: LeadHistoryScan = { segments: 2, read: (_segment, options) => once.read(0, options) };

    // Act, Assess
    await expect(calibrateWith(twice)(OPTIONS)).rejects.toThrow(/read twice/);
  });
});
