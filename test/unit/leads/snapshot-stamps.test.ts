import { describe, expect, it } from "vitest";
import { decodeLead, encodeLead } from "#shared/adapters/dynamodb/lead-codec";
import type { Lead } from "#shared/domain/lead";
import { foldLead, usableSnapshot } from "#shared/domain/lead-fold";
import { engineFor, stored } from "../model/journeys";

/** The two stamps a snapshot carries through its item: the model that scored the lead, and its fold. */

const rules = [{ id: "form", label: "Form", on: "form.submitted", points: 30 }];
const strict = engineFor({
  version: "v1",
  engagement: { rules },
  stages: { mql: [{ id: "m", label: "50+", when: { score: { min: 50 } } }] },
});
const lenient = engineFor({
  version: "v2",
  engagement: { rules },
  stages: { mql: [{ id: "m", label: "25+", when: { score: { min: 25 } } }] },
});
const NOW = new Date("2026-06-01T12:00:00.000Z");

function folded(): Lead {
  const event = stored({ type: "form.submitted", at: "2026-06-01T10:00:00.000Z", id: "e1" });
  const result = foldLead({ engine: strict, leadId: "ld_1", current: undefined, event, now: NOW });
  if (!result) throw new Error("a first event always folds");
  return result.lead;
}

describe("a lead item's snapshot stamps", () => {
  it("keeps both stamps through the item, and a model that folds alike uses the snapshot", () => {
    const lead = folded();

    const back = decodeLead(encodeLead(lead), lead.leadId, lead.version);

    expect(back.snapshot).toMatchObject({ model: strict.modelHash, fold: strict.foldHash });
    expect(usableSnapshot(lenient, back)).toBe(back.snapshot);
  });

  it("reads an item written before the fold was stamped: its own model uses it, any other replays", () => {
    const body = encodeLead(folded());
    // Such an item's packed snapshot ends with the scope since leaving the funnel.
    (body.s as unknown[]).pop();

    const old = decodeLead(body, "ld_1", 1);

    expect(old.snapshot?.fold).toBeUndefined();
    expect(usableSnapshot(strict, old)).toBe(old.snapshot);
    expect(usableSnapshot(lenient, old)).toBeUndefined();
  });

  it("is not used once the lead is stale, whatever its stamps", () => {
    const lead = { ...folded(), stale: true };

    expect(usableSnapshot(strict, lead)).toBeUndefined();
    expect(usableSnapshot(lenient, lead)).toBeUndefined();
  });
});
