import { describe, expect, it } from "vitest";
import { calibrationSvg } from "#shared/domain/calibration/chart-svg";
import { conversionByBand, gainsCurve } from "#shared/domain/calibration/curves";

describe("the gains curve", () => {
  it("captures every win first for a perfect ranking, and follows the diagonal for one that can't tell", () => {
    // Prepare: two wins among ten leads.
    const labels = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0] as const;
    const perfect = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const tied = perfect.map(() => 5);

    // Act
    const best = gainsCurve(perfect, [...labels], 10);
    const flat = gainsCurve(tied, [...labels], 10);

    // Assess
    expect(best.slice(0, 4)).toEqual([
      { share: 0, captured: 0 },
      { share: 0.1, captured: 0.5 },
      { share: 0.2, captured: 1 },
      { share: 0.3, captured: 1 },
    ]);
    for (const point of flat) expect(point.captured).toBeCloseTo(point.share, 10);
  });
});

describe("conversion by score band", () => {
  it("cuts leads into bands of about equal size by score, never splitting equal scores", () => {
    // Prepare
    const scores = [0, 0, 0, 10, 20, 30, 40, 50, 60, 70];
    const labels = [0, 0, 0, 0, 0, 1, 0, 1, 1, 1] as (0 | 1)[];

    // Act
    const bands = conversionByBand(scores, labels, 3);

    // Assess
    expect(bands).toEqual([
      { from: 0, to: 0, leads: 3, winRate: 0 },
      // Cuts at 10 × 1/3 and 10 × 2/3, rounded: after the 3rd and the 7th lead.
      { from: 10, to: 40, leads: 4, winRate: 0.25 },
      { from: 50, to: 70, leads: 3, winRate: 1 },
    ]);
  });
});

describe("the calibration picture", () => {
  it("is one self-contained SVG with both models' curves and bands, its title escaped", () => {
    // Prepare
    const curves = {
      gains: gainsCurve([3, 2, 1, 0], [1, 0, 1, 0], 4),
      bands: conversionByBand([3, 2, 1, 0], [1, 0, 1, 0], 2),
    };

    // Act
    const svg = calibrationSvg({ current: curves, calibrated: curves }, "Model <v2> & calibrated");

    // Assess
    expect(svg.startsWith("<svg xmlns=")).toBe(true);
    expect(svg).toContain("<title>Model &#60;v2&#62; &#38; calibrated</title>");
    expect(svg.match(/class="gains (current|calibrated)"/g)).toHaveLength(2);
    expect(svg.match(/class="band (current|calibrated)"/g)).toHaveLength(4);
    expect(svg).not.toMatch(/<script|href=|url\(/);
  });
});
