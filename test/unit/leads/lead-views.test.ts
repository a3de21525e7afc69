import { describe, expect, it } from "vitest";
import { mostAdvanced } from "#shared/application/account";
import type { FunnelView } from "#shared/application/funnel";
import { readLead, timeline } from "#shared/application/read-lead";
import { funnelText } from "#shared/cli/funnel-table";
import { funnelReport } from "#shared/domain/funnel";
import { leadEvent } from "../../support/events";
import { memoryLeadStore } from "../../support/memory-lead-store";
import { recordLeads, TEST_PSEUDONYMS, testPseudonyms } from "../../support/pseudonyms";
import { leadFixture, REP_A, storedEvent, sweepEngine, transitionFixture } from "./fixtures";

describe("GET /leads/{id}", () => {
  it("merges events and transitions in time order, the cause before its effect, with each event's points", () => {
    const email = "timeline@example.com";
    const form = storedEvent({ email, occurredAt: "2026-11-02T10:00:00.000Z", sourceEventId: "form" });
    const demo = storedEvent({
      email,
      occurredAt: "2026-11-03T10:00:00.000Z",
      sourceEventId: "demo",
      type: "demo.completed",
    });
    const lead = leadFixture({ email });
    const entered = transitionFixture({ leadId: lead.leadId, from: null, to: "lead", at: "2026-11-02T10:00:00.000Z" });
    const sql = transitionFixture({ leadId: lead.leadId, from: "lead", to: "sql", at: "2026-11-03T10:00:05.000Z" });
    const entries = timeline([demo, form], [sql, entered]);

    expect(entries.map((entry) => [entry.kind, entry.at])).toEqual([
      ["event", form.occurredAt],
      ["transition", entered.at],
      ["event", demo.occurredAt],
      ["transition", sql.at],
    ]);
    expect(entries[0]).toMatchObject({ eventId: form.eventId, source: "generic" });
    expect(entries[2]).toMatchObject({ type: "demo.completed" });
    expect(entries[3]).toMatchObject({ from: "lead", to: "sql", actor: { type: "rule" } });
  });

  it("answers with the lead, its explanation, BANT, owner and timeline", async () => {
    const email = "view@example.com";
    const { store } = memoryLeadStore();
    const lead = leadFixture({ email, owner: REP_A });
    const event = storedEvent({ email, occurredAt: lead.updatedAt });
    await store.commit({ lead, expectedVersion: undefined, event, eventKey: TEST_PSEUDONYMS.eventKey(event.eventId) });

    const view = await readLead({
      store,
      engine: sweepEngine(),
      clock: () => new Date(lead.updatedAt),
      pseudonyms: testPseudonyms,
    })(email);

    expect(view.owner).toEqual(REP_A);
    expect(view.bant).toEqual({});
    expect(view.explanation.score).toBe(40);
    expect(view.timeline).toHaveLength(1);
  });

  it("shows at most 500 events of a long history, says so, and still explains the whole score from the snapshot", async () => {
    const memory = memoryLeadStore();
    const engine = sweepEngine({ points: 1, halfLifeDays: 10_000 });
    const record = recordLeads({
      store: memory.store,
      engine,
      clock: () => new Date("2026-11-20T00:00:00.000Z"),
    });
    const email = "long@example.com";
    for (let index = 0; index < 600; index++) {
      await record(
        leadEvent({
          email,
          type: "page.viewed",
          sourceEventId: `v${index}`,
          occurredAt: new Date(Date.parse("2026-11-01T00:00:00.000Z") + index * 60_000).toISOString(),
        }),
      );
    }

    const view = await readLead({
      store: memory.store,
      engine,
      clock: () => new Date("2026-11-20T00:00:00.000Z"),
      pseudonyms: testPseudonyms,
    })(email);

    expect(view.timeline.filter((entry) => entry.kind === "event")).toHaveLength(500);
    expect(view.timelineComplete).toBe(false);
    expect(view.explanation.hits).toEqual([expect.objectContaining({ ruleId: "points", hits: 600 })]);
    expect(view.lead.eventCount).toBe(600);
  });
});

describe("GET /accounts/{domain}", () => {
  it("names the furthest funnel stage, and a stage outside the funnel only when no lead is in it", () => {
    expect(mostAdvanced(["lead", "sql", "disqualified", "mql"])).toBe("sql");
    expect(mostAdvanced(["disqualified", "recycled"])).toBe("recycled");
    expect(mostAdvanced(["disqualified"])).toBe("disqualified");
  });
});

describe("npm run funnel", () => {
  it("prints the total and each segment as aligned tables", () => {
    const report = funnelReport(
      [
        { leadId: "a", from: null, to: "lead", at: "2026-11-02T00:00:00.000Z", source: "typeform" },
        { leadId: "a", from: "lead", to: "sql", at: "2026-11-02T06:00:00.000Z", source: "calendly" },
      ],
      { from: "2026-11-01", until: "2026-11-08", by: "source" },
    );
    const view: FunnelView = { from: "2026-11-01", to: "2026-11-07", days: 7, ...report };

    const text = funnelText(view).split("\n");

    expect(text[0]).toBe("Funnel 2026-11-01 to 2026-11-07 (7 days): 1 leads, 2 stage changes");
    expect(text).toContain("lead         1        1        100%            6.0 h         6.0 h      1");
    expect(text).toContain("source: calendly (1 leads)");
    expect(new Set(text.filter((line) => line.startsWith("stage")).map((line) => line.length)).size).toBe(1);
  });
});
