import type { FunnelView } from "#shared/application/funnel";
import { type FunnelSegment, reviewWaitsText } from "#shared/domain/funnel";

const HEADINGS = ["stage", "entered", "to next", "conversion", "median in stage", "p90 in stage", "stays"];

function hours(value: number | null): string {
  if (value === null) return "–";
  return value >= 48 ? `${(value / 24).toFixed(1)} d` : `${value.toFixed(1)} h`;
}

function percent(value: number | null | undefined): string {
  if (value === undefined) return "";
  return value === null ? "–" : `${Math.round(value * 1000) / 10}%`;
}

/** One segment as an aligned text table: numbers right-aligned, the stage left-aligned. */
export function segmentTable(segment: FunnelSegment): string {
  const rows = segment.stages.map((stage) => [
    stage.stage,
    String(stage.entered),
    stage.convertedToNext === undefined ? "" : String(stage.convertedToNext),
    percent(stage.conversionToNext),
    hours(stage.timeInStage.medianHours),
    hours(stage.timeInStage.p90Hours),
    String(stage.timeInStage.stays),
  ]);
  const widths = HEADINGS.map((heading, column) =>
    Math.max(heading.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("  ");
  const exits = `left the funnel: ${segment.exits.disqualified} disqualified, ${segment.exits.recycled} recycled`;
  return [line(HEADINGS), line(widths.map((width) => "-".repeat(width))), ...rows.map(line), exits].join("\n");
}

/** The whole report as text: the total, then each segment when grouped. */
export function funnelText(view: FunnelView): string {
  const title = `Funnel ${view.from} to ${view.to} (${view.days} days): ${view.total.leads} leads, ${view.transitions} stage changes`;
  const review = reviewWaitsText(view.review);
  const blocks = [title, "", segmentTable(view.total), ...(review ? [review] : [])];
  for (const segment of view.segments) {
    blocks.push("", `${view.by}: ${segment.key} (${segment.leads} leads)`, segmentTable(segment));
  }
  return blocks.join("\n");
}
