import { BANT_KEYS, type Bant, type BantItem, type BantKey } from "#shared/domain/lead";
import type { Scalar } from "#shared/domain/lead-event";
import type { Mark } from "#shared/domain/snapshot";
import { type CompileScope, compileValueTest, type Test } from "./compile-conditions";
import type { BantModel } from "./grammar/bant";

export type { BantCriterion, BantModel } from "./grammar/bant";

/**
 * BANT: which attributes (set by events or mapped from form answers, see fields.ts) answer Budget,
 * Authority, Need and Timing, and which answers count as satisfied.
 */

export interface CompiledBant {
  /**
   * BANT from the lead's attributes and the event that last set each one (its mark: time and id). With
   * `setAfterMs`, only attributes set after that time count (a lead judged on what it did since leaving).
   */
  extract(attributes: Record<string, Scalar>, marks: Readonly<Record<string, Mark>>, setAfterMs?: number): Bant;
}

export function compileBant(model: BantModel, scope: Pick<CompileScope, "lists">): CompiledBant {
  const criteria: { key: BantKey; from: string[]; satisfied: Test<unknown> }[] = [];
  for (const key of BANT_KEYS) {
    const criterion = model[key];
    if (!criterion) continue;
    criteria.push({
      key,
      from: criterion.from,
      satisfied: criterion.satisfied ? compileValueTest(criterion.satisfied, scope) : (value) => value !== "",
    });
  }
  return {
    extract(attributes, marks, setAfterMs) {
      const bant: Bant = {};
      for (const criterion of criteria) {
        // The first satisfied answer wins; failing that, the first one given (unsatisfied).
        let item: BantItem | undefined;
        for (const attribute of criterion.from) {
          const value = attributes[attribute];
          const mark = marks[attribute];
          if (value === undefined || mark === undefined) continue;
          if (setAfterMs !== undefined && !(mark.at > setAfterMs)) continue;
          const eventId = mark.by;
          const text = String(value).trim();
          if (text === "") continue;
          const satisfied = criterion.satisfied(text);
          if (satisfied) {
            item = { value: text, satisfied, eventId };
            break;
          }
          item ??= { value: text, satisfied, eventId };
        }
        if (item) bant[criterion.key] = item;
      }
      return bant;
    },
  };
}
