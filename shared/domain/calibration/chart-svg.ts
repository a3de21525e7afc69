import type { GainsPoint, ScoreBand } from "./curves";

/** The two models' curves, as the report keeps them for the holdout. */
export interface ModelCurves {
  gains: GainsPoint[];
  bands: ScoreBand[];
}

const WIDTH = 720;
const HEIGHT = 300;
const PANEL = { width: 320, height: 220, top: 40 };
const COLORS = { current: "#8a8f8b", calibrated: "#2f7d32", diagonal: "#c9cec9" };

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
const round = (value: number) => Math.round(value * 10) / 10;

/**
 * The calibration picture as one SVG: the gains curve of both models on the holdout (left; the diagonal
 * is random picking) and their win rate by score band (right). Self-contained (no script, no font, no
 * external reference, no style element: presentation attributes only, which a page's strict CSP allows),
 * so the CLI writes it as a file and the report page embeds it as is.
 */
export function calibrationSvg(curves: { current: ModelCurves; calibrated: ModelCurves }, title: string): string {
  const gains = panel(40, "Wins captured by the top share of leads", (x, y) => {
    const path = (points: GainsPoint[]) =>
      points
        .map((point, index) => `${index === 0 ? "M" : "L"}${round(x(point.share))},${round(y(point.captured))}`)
        .join(" ");
    return [
      `<path d="M${x(0)},${y(0)} L${x(1)},${y(1)}" stroke="${COLORS.diagonal}" stroke-dasharray="4 4" fill="none"/>`,
      `<path class="gains current" d="${path(curves.current.gains)}" stroke="${COLORS.current}" stroke-width="2" fill="none"/>`,
      `<path class="gains calibrated" d="${path(curves.calibrated.gains)}" stroke="${COLORS.calibrated}" stroke-width="2.5" fill="none"/>`,
    ];
  });
  const maxRate = Math.max(
    0.01,
    ...curves.current.bands.map((band) => band.winRate),
    ...curves.calibrated.bands.map((band) => band.winRate),
  );
  const bands = panel(400, "Win rate by score band (lowest band first)", (x, y) => {
    const bars = (list: ScoreBand[], offset: number, color: string, kind: string) =>
      list.map((band, index) => {
        const slot = 1 / Math.max(1, list.length);
        const left = x(index * slot + offset * slot * 0.45 + slot * 0.05);
        const top = y(band.winRate / maxRate);
        return `<rect class="band ${kind}" x="${round(left)}" y="${round(top)}" width="${round(PANEL.width * slot * 0.4)}" height="${round(y(0) - top)}" fill="${color}"><title>${escapeXml(`${kind}: scores ${band.from}–${band.to}, ${band.leads} leads, ${Math.round(band.winRate * 100)} % won`)}</title></rect>`;
      });
    return [
      ...bars(curves.current.bands, 0, COLORS.current, "current"),
      ...bars(curves.calibrated.bands, 1, COLORS.calibrated, "calibrated"),
    ];
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="system-ui, sans-serif" font-size="12" fill="#1d2a1f" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    ...gains,
    ...bands,
    `<rect x="40" y="${HEIGHT - 22}" width="12" height="12" fill="${COLORS.current}"/><text x="58" y="${HEIGHT - 12}">current model</text>`,
    `<rect x="170" y="${HEIGHT - 22}" width="12" height="12" fill="${COLORS.calibrated}"/><text x="188" y="${HEIGHT - 12}">calibrated</text>`,
    "</svg>",
  ].join("\n");
}

/** A framed panel at `left` with its caption; `draw` gets the unit-square-to-panel scales. */
function panel(left: number, caption: string, draw: (x: (u: number) => number, y: (v: number) => number) => string[]) {
  const x = (u: number) => left + u * PANEL.width;
  const y = (v: number) => PANEL.top + (1 - v) * PANEL.height;
  return [
    `<text x="${left}" y="${PANEL.top - 12}">${escapeXml(caption)}</text>`,
    `<rect x="${left}" y="${PANEL.top}" width="${PANEL.width}" height="${PANEL.height}" fill="#fff" stroke="#d7dbd3"/>`,
    ...draw(x, y),
  ];
}
