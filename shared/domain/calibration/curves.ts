import { checkScores, type Outcome } from "./labels";
import { liftAtTop } from "./metrics";

/** One point of a gains curve: the top `share` of leads by score holds `captured` of all wins. */
export interface GainsPoint {
  share: number;
  captured: number;
}

/** Leads in one score band and how often they won. */
export interface ScoreBand {
  /** The band's lowest and highest score. */
  from: number;
  to: number;
  leads: number;
  winRate: number;
}

/**
 * The gains curve: leads taken best score first, the share of all wins captured after each `1/steps` of
 * them (as lift in the top k % counts them: ties split in proportion, so input order never changes it). The diagonal is what random picking
 * gives; the higher the curve, the better the score ranks.
 */
export function gainsCurve(scores: readonly number[], labels: readonly Outcome[], steps = 20): GainsPoint[] {
  checkScores(scores, labels);
  const wins = labels.filter((label) => label === 1).length;
  const percents = Array.from({ length: steps }, (_, step) => ((step + 1) * 100) / steps);
  // The top k % holds winRate × leads of the wins (liftAtTop splits a block of ties in proportion).
  const tops = wins === 0 ? [] : liftAtTop(scores, labels, percents);
  return [
    { share: 0, captured: 0 },
    ...percents.map((percent, index) => {
      const top = tops[index];
      return { share: percent / 100, captured: top ? (top.winRate * top.leads) / wins : 0 };
    }),
  ];
}

/**
 * Conversion by score band: the leads cut into `bands` bands of about equal size by score (lowest first,
 * equal scores never split), each with its win rate. A good score rises band by band.
 */
export function conversionByBand(scores: readonly number[], labels: readonly Outcome[], bands = 5): ScoreBand[] {
  checkScores(scores, labels);
  const order = scores.map((score, index) => ({ score, won: labels[index] === 1 })).sort((a, b) => a.score - b.score);
  const result: ScoreBand[] = [];
  let start = 0;
  for (let band = 1; band <= bands && start < order.length; band++) {
    let end = Math.max(start + 1, Math.round((order.length * band) / bands));
    while (end < order.length && order[end]?.score === order[end - 1]?.score) end++;
    const members = order.slice(start, end);
    const first = members[0];
    const last = members.at(-1);
    if (first && last) {
      result.push({
        from: first.score,
        to: last.score,
        leads: members.length,
        winRate: members.filter((member) => member.won).length / members.length,
      });
    }
    start = end;
  }
  return result;
}
