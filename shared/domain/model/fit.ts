import * as z from "zod";
import { type AttributeFacts, type CompileScope, compileAttributeCondition, type Test } from "./compile-conditions";
import { AttributeCondition, type AttributeCondition as AttributeConditionType, Identifier } from "./conditions";

/** Fit: points for who the lead is (company size, industry, country, seniority, email domain). */
export const FitRule = z
  .strictObject({
    id: Identifier,
    label: z.string().min(1).describe("what an explanation shows, e.g. 'Mid-market company'"),
    when: AttributeCondition,
    points: z.number().finite().describe("negative for a poor fit"),
  })
  .meta({ id: "FitRule" });
export type FitRule = z.infer<typeof FitRule>;

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
