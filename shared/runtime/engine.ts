import { minimalEngine } from "../domain/minimal-model";
import type { ScoringEngine } from "../domain/scoring";

/** The scoring engine the application runs with. */
export function loadEngine(): ScoringEngine {
  return minimalEngine();
}
