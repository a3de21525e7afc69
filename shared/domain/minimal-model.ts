import { z } from "zod";
import type { RuleHit } from "./lead";
import { type Evaluation, roundPoints, type ScoringEngine } from "./scoring";

/** The walking skeleton's model: points per event type and two thresholds. */
export const MinimalModel = z.object({
  version: z.string().min(1),
  points: z.record(z.string(), z.number()),
  thresholds: z.object({ mql: z.number(), sql: z.number() }),
});
export type MinimalModel = z.infer<typeof MinimalModel>;

export const minimalDefaultModel: MinimalModel = {
  version: "minimal-1",
  points: {
    "form.submitted": 30,
    "webinar.registered": 5,
    "webinar.attended": 15,
    "demo.scheduled": 40,
    "demo.completed": 50,
    "page.viewed": 1,
  },
  thresholds: { mql: 30, sql: 70 },
};

export function minimalEngine(model: MinimalModel = minimalDefaultModel): ScoringEngine {
  return {
    modelVersion: model.version,
    evaluate(subject, events): Evaluation {
      const hits: RuleHit[] = [];
      for (const event of events) {
        const points = model.points[event.type];
        if (points === undefined) continue;
        hits.push({
          ruleId: `points.${event.type}`,
          axis: "engagement",
          eventId: event.eventId,
          label: event.type,
          points,
          decayedPoints: points,
        });
      }
      const score = roundPoints(hits.reduce((sum, hit) => sum + hit.decayedPoints, 0));
      const verdict =
        score >= model.thresholds.sql
          ? { stage: "sql" as const, ruleId: "threshold.sql", reason: `score ${score} ≥ ${model.thresholds.sql}` }
          : score >= model.thresholds.mql
            ? { stage: "mql" as const, ruleId: "threshold.mql", reason: `score ${score} ≥ ${model.thresholds.mql}` }
            : { stage: "lead" as const, ruleId: "first-event", reason: "known contact" };
      void subject;
      return { score, fit: 0, engagement: score, hits, bant: {}, verdict };
    },
  };
}
