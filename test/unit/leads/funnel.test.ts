import { describe, expect, it } from "vitest";
import { daysBetween } from "#shared/application/funnel";
import { funnelText } from "#shared/cli/funnel-table";
import { InvalidQueryError } from "#shared/domain/errors";
import { type FunnelTransition, funnelReport, percentile, stagesEntered } from "#shared/domain/funnel";
import { funnelPage } from "#shared/runtime/funnel-page";

const range = { from: "2026-11-01", until: "2026-12-01" };
const at = (day: number, hour = 0) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();
const move = (
  leadId: string,
  from: FunnelTransition["from"],
  to: FunnelTransition["to"],
  when: string,
  extra = {},
) => ({
  leadId,
  from,
  to,
  at: when,
  ...extra,
});
const stage = (report: ReturnType<typeof funnelReport>["total"], name: string) =>
  report.stages.find((row) => row.stage === name);

describe("the funnel report", () => {
  it("counts a skipped stage as passed: lead → sql enters mql and sal too", () => {
    expect(stagesEntered(null, "sql")).toEqual(["lead", "mql", "sal", "sql"]);
    expect(stagesEntered("lead", "sql")).toEqual(["mql", "sal", "sql"]);
    expect(stagesEntered("recycled", "sal")).toEqual(["mql", "sal"]);
    expect(stagesEntered("mql", "recycled")).toEqual([]);
    expect(stagesEntered("sql", "mql")).toEqual(["mql"]);
  });

  it("reports entries, conversion to the next stage and time in stage", () => {
    // Prepare: a walks every stage; b skips from lead to sql; c stops at mql; d is disqualified.
    const transitions = [
      move("a", null, "lead", at(2)),
      move("a", "lead", "mql", at(2, 10)),
      move("a", "mql", "sal", at(3, 10)),
      move("b", null, "lead", at(4)),
      move("b", "lead", "sql", at(4, 4)),
      move("c", null, "lead", at(5)),
      move("c", "lead", "mql", at(5, 20)),
      move("d", null, "lead", at(6)),
      move("d", "lead", "disqualified", at(6, 1)),
    ];

    // Act
    const report = funnelReport(transitions, range);

    // Assess
    expect(report.transitions).toBe(9);
    expect(report.total.leads).toBe(4);
    expect(report.total.stages.map((row) => row.entered)).toEqual([4, 3, 2, 1, 0]);
    expect(stage(report.total, "lead")).toMatchObject({ convertedToNext: 3, conversionToNext: 0.75 });
    expect(stage(report.total, "mql")).toMatchObject({ convertedToNext: 2, conversionToNext: 0.6667 });
    expect(stage(report.total, "sal")).toMatchObject({ convertedToNext: 1, conversionToNext: 0.5 });
    expect(stage(report.total, "sqo")?.conversionToNext).toBeUndefined();
    // Stays in lead: a 10 h, b 4 h, c 20 h, d 1 h; in mql: a 24 h (c is still there).
    expect(stage(report.total, "lead")?.timeInStage).toEqual({ stays: 4, medianHours: 7, p90Hours: 17 });
    expect(stage(report.total, "mql")?.timeInStage).toEqual({ stays: 1, medianHours: 24, p90Hours: 24 });
    expect(stage(report.total, "sal")?.timeInStage).toEqual({ stays: 0, medianHours: null, p90Hours: null });
    expect(report.total.exits).toEqual({ disqualified: 1, recycled: 0 });
  });

  it("groups by source, campaign or month; conversion follows the lead across segments", () => {
    const transitions = [
      move("a", null, "lead", at(2), { source: "typeform", campaign: "spring" }),
      move("a", "lead", "sql", at(3), { source: "calendly" }),
      move("b", null, "lead", at(30), { source: "typeform", campaign: "spring" }),
    ];
    const withDecember = [...transitions, move("b", "lead", "mql", "2026-12-02T00:00:00.000Z")];

    const bySource = funnelReport(transitions, { ...range, by: "source" });
    const byCampaign = funnelReport(transitions, { ...range, by: "campaign" });
    const byMonth = funnelReport(withDecember, { from: "2026-11-01", until: "2027-01-01", by: "month" });

    expect(bySource.segments.map((segment) => segment.key)).toEqual(["typeform", "calendly"]);
    expect(bySource.segments[0]?.stages[0]).toMatchObject({ entered: 2, convertedToNext: 1, conversionToNext: 0.5 });
    expect(bySource.segments[1]?.stages.map((row) => row.entered)).toEqual([0, 1, 1, 1, 0]);
    expect(byCampaign.segments.map((segment) => segment.key)).toEqual(["spring", "none"]);
    expect(byMonth.segments.map((segment) => [segment.key, segment.stages[1]?.entered])).toEqual([
      ["2026-11", 1],
      ["2026-12", 1],
    ]);
  });

  it("leaves out transitions outside the range and reports an empty range as zeros", () => {
    const report = funnelReport([move("a", null, "lead", "2026-10-31T23:59:59.999Z")], range);

    expect(report.transitions).toBe(0);
    expect(report.total.leads).toBe(0);
    expect(report.total.stages.every((row) => row.entered === 0 && row.timeInStage.stays === 0)).toBe(true);
    expect(report.total.stages[0]?.conversionToNext).toBeNull();
  });

  it("counts the waits for review begun in the range, their outcomes and the median wait of the decided", () => {
    // Prepare: a waits 6 h and is qualified; b waits 30 h and is disqualified; c still waits; d waited
    // before the range (not counted); e's first wait lapsed undecided, its second is qualified after 2 h.
    const moves = [
      move("a", null, "lead", at(2)),
      move("a", "lead", "mql", at(2, 1)),
      move("a", "mql", "sql", at(3, 8)),
      move("b", null, "lead", at(4)),
      move("b", "lead", "disqualified", at(5, 12)),
      move("c", null, "lead", at(6)),
      move("e", null, "lead", at(7)),
      move("e", "lead", "sql", at(9, 2)),
    ];
    const waits = [
      { leadId: "a", since: at(3, 2) },
      { leadId: "b", since: at(4, 6) },
      { leadId: "c", since: at(6, 1) },
      { leadId: "d", since: "2026-10-31T12:00:00.000Z" },
      { leadId: "e", since: at(7, 5) },
      { leadId: "e", since: at(9) },
    ];

    // Act
    const report = funnelReport(moves, range, waits);
    const none = funnelReport(moves, range);

    // Assess: decided waits 6 h, 30 h and 2 h: the median is 6 h.
    expect(report.review).toEqual({ waited: 5, qualified: 2, disqualified: 1, undecided: 2, medianHours: 6 });
    expect(none.review).toEqual({ waited: 0, qualified: 0, disqualified: 0, undecided: 0, medianHours: null });
    expect(report.total).toEqual(none.total);
  });

  it("prints the waits in a line on the page and in the table, and nothing about them when no lead waited", () => {
    // Prepare
    const moves = [move("a", null, "lead", at(2)), move("a", "lead", "sql", at(3, 8))];
    const view = (waits: { leadId: string; since: string }[]) => ({
      from: "2026-11-01",
      to: "2026-11-30",
      days: 30,
      ...funnelReport(moves, range, waits),
    });
    const waited = view([{ leadId: "a", since: at(3, 2) }]);
    const line = "waited for review: 1 (1 qualified, 0 disqualified, 0 undecided); median wait 6 h";

    // Act
    const page = funnelPage(waited, "n0nce");
    const text = funnelText(waited);

    // Assess
    expect(page).toContain(`<p id="review">W${line.slice(1)}.</p>`);
    expect(text.split("\n")).toContain(line);
    expect(funnelPage(view([]), "n0nce")).not.toContain('id="review"');
    expect(funnelText(view([]))).not.toContain("waited for review");
  });

  it("interpolates percentiles between closest ranks", () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([5], 0.9)).toBe(5);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([0, 10], 0.9)).toBe(9);
  });

  it("lists the days of a range and refuses reversed or overlong ranges", () => {
    expect(daysBetween("2026-02-27", "2026-03-01")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01"]);
    expect(() => daysBetween("2026-03-02", "2026-03-01")).toThrow(InvalidQueryError);
    expect(() => daysBetween("2025-01-01", "2026-03-01")).toThrow(InvalidQueryError);
  });
});
