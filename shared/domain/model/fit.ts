import { type AttributeFacts, type CompileScope, compileAttributeCondition, type Test } from "./compile-conditions";
import type { AttributeCondition as AttributeConditionType } from "./grammar/conditions";
import type { FitRule } from "./grammar/fit";

export interface CompiledFitRule {
  id: string;
  label: string;
  points: number;
  /** The attribute the explanation names: the first field the condition reads. */
  attribute: string;
  matches: Test<AttributeFacts>;
}

export function compileFitRule(rule: FitRule, scope: Pick<CompileScope, "lists">): CompiledFitRule {
  return {
    id: rule.id,
    label: rule.label,
    points: rule.points,
    attribute: firstField(rule.when) ?? "attributes",
    matches: compileAttributeCondition(rule.when, scope),
  };
}

function firstField(condition: AttributeConditionType): string | undefined {
  const field = Array.isArray(condition.field) ? condition.field[0] : condition.field;
  if (field !== undefined) return field.replace(/^attributes\./, "");
  for (const inner of [...(condition.all ?? []), ...(condition.any ?? []), ...(condition.not ? [condition.not] : [])]) {
    const found = firstField(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}
