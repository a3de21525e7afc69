import { describe, expect, it } from "vitest";
import { suggestedPoints } from "#shared/domain/calibration/suggested-points";

describe("suggested points", () => {
  it("keep the model's scale: weights proportional to the current points give the current points back", () => {
    // Prepare: log-odds exactly a tenth of the points.
    const columns = [
      { id: "demo", currentPoints: 40, weight: 4 },
      { id: "pricing", currentPoints: 5, weight: 0.5 },
      { id: "student", currentPoints: -20, weight: -2 },
    ];

    // Act
    const scale = suggestedPoints(columns);

    // Assess
    expect(scale.pointsPerLogOdds).toBeCloseTo(10, 10);
    expect(scale.suggestions.map((suggestion) => suggestion.suggestedPoints)).toEqual([40, 5, -20]);
  });

  it("move the rules the evidence disagrees with, and price candidate rules on the same scale", () => {
    // Prepare: pricing predicts wins far better than its points say; a candidate has no points yet.
    const columns = [
      { id: "demo", currentPoints: 40, weight: 4 },
      { id: "pricing", currentPoints: 5, weight: 3 },
      { id: "attr:industry=saas", weight: 1.2 },
      { id: "attr:country=de", weight: 0 },
    ];

    // Act
    const { pointsPerLogOdds, suggestions } = suggestedPoints(columns);

    // Assess: the least-squares scale is (4·40 + 3·5) / (4² + 3²) = 7.
    expect(pointsPerLogOdds).toBeCloseTo(7, 10);
    expect(suggestions).toEqual([
      { id: "demo", currentPoints: 40, suggestedPoints: 28, evidence: true },
      { id: "pricing", currentPoints: 5, suggestedPoints: 21, evidence: true },
      { id: "attr:industry=saas", suggestedPoints: 8.4, evidence: true },
      { id: "attr:country=de", suggestedPoints: 0, evidence: true },
    ]);
  });

  it("fall back to a positive scale when every rule points the wrong way", () => {
    const { pointsPerLogOdds, suggestions } = suggestedPoints([
      { id: "demo", currentPoints: 40, weight: -2 },
      { id: "pricing", currentPoints: 10, weight: -0.5 },
    ]);
    expect(pointsPerLogOdds).toBeCloseTo(20, 10);
    expect(suggestions.map((suggestion) => suggestion.suggestedPoints)).toEqual([-40, -10]);
  });

  it("keep the points of a rule no training lead triggered, and leave it out of the scale", () => {
    // Prepare: a rule on an outcome event (never a feature) and a rule the history never shows.
    const columns = [
      { id: "demo", currentPoints: 40, weight: 4, support: 900 },
      { id: "pricing", currentPoints: 5, weight: 0.5, support: 300 },
      { id: "opportunity-lost", currentPoints: -100, weight: 0, support: 0 },
      { id: "trial-started", currentPoints: 30, weight: 0, support: 0 },
    ];

    // Act
    const { pointsPerLogOdds, suggestions } = suggestedPoints(columns);

    // Assess
    expect(pointsPerLogOdds).toBeCloseTo(10, 10);
    expect(suggestions.map((suggestion) => [suggestion.id, suggestion.suggestedPoints, suggestion.evidence])).toEqual([
      ["demo", 40, true],
      ["pricing", 5, true],
      ["opportunity-lost", -100, false],
      ["trial-started", 30, false],
    ]);
  });
});
