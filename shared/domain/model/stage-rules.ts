import type { Lead } from "#shared/domain/lead";
import type { StageVerdict } from "#shared/domain/scoring-engine";
import type { Stage } from "#shared/domain/stages";
import { type CompileScope, compileLeadCondition, type LeadFacts, type Test } from "./compile-conditions";
import type { SlaRule, StageModel, StageRule } from "./grammar/stages";
import type { OwnerChannel } from "./notifications";

export type { RecycleRule, SlaRule, StageModel, StageRule } from "./grammar/stages";

/**
 * Stage rules: which leads the model qualifies for mql, sql and sqo (automatic moves, forward only,
 * skips allowed), which it disqualifies or recycles (backward, always with the rule as the reason),
 * which disqualified leads a new signal reopens, and how long a stage may wait for a rep (SLA).
 */

export interface StageDecision {
  verdict: StageVerdict;
  demotion?: StageVerdict;
  reopen?: StageVerdict;
}

export interface CompiledStages {
  acceptance: "manual" | "auto";
  /** sql and sqo verdicts wait for a rep's Qualify (the lead is marked sql-ready) instead of moving it. */
  sqlReview: boolean;
  decide(stage: Stage, facts: LeadFacts): StageDecision;
}

interface Compiled {
  id: string;
  label: string;
  when: Test<LeadFacts>;
}

/** The first rule whose condition holds (of those for `stage`, when given): a loop, no closure per call. */
function first<Rule extends Compiled & { from?: ReadonlySet<Stage> }>(
  rules: readonly Rule[],
  facts: LeadFacts,
  stage?: Stage,
): Rule | undefined {
  for (let position = 0; position < rules.length; position++) {
    const rule = rules[position] as Rule;
    if ((stage === undefined || rule.from?.has(stage)) && rule.when(facts)) return rule;
  }
  return undefined;
}

const KNOWN_CONTACT: StageVerdict = { stage: "lead", ruleId: "known-contact", reason: "known contact" };

export function compileStages(model: StageModel, scope: CompileScope): CompiledStages {
  const compile = (rule: StageRule): Compiled => ({
    id: rule.id,
    label: rule.label,
    when: compileLeadCondition(rule.when, scope),
  });
  const ladder: { stage: Stage; rules: Compiled[] }[] = [
    { stage: "sqo", rules: model.sqo.map(compile) },
    { stage: "sql", rules: model.sql.map(compile) },
    { stage: "mql", rules: model.mql.map(compile) },
  ];
  const disqualify = model.disqualify.map(compile);
  const recycle = model.recycle.map((rule) => ({ ...compile(rule), from: new Set<Stage>(rule.from) }));
  const reopen = model.reopen.map(compile);

  function qualify(facts: LeadFacts): StageVerdict {
    for (const step of ladder) {
      const rule = first(step.rules, facts);
      if (!rule) continue;
      if (step.stage === "mql" && model.acceptance === "auto")
        return { stage: "sal", ruleId: rule.id, reason: `${rule.label}; accepted automatically` };
      return { stage: step.stage, ruleId: rule.id, reason: rule.label };
    }
    return KNOWN_CONTACT;
  }

  return {
    acceptance: model.acceptance,
    sqlReview: model.sqlReview === true,
    decide(stage, facts) {
      const verdict = qualify(facts);
      const disqualifier = first(disqualify, facts);
      if (disqualifier)
        return { verdict, demotion: { stage: "disqualified", ruleId: disqualifier.id, reason: disqualifier.label } };
      if (stage === "disqualified") {
        const rule = first(reopen, facts);
        return rule ? { verdict, reopen: { stage: "lead", ruleId: rule.id, reason: rule.label } } : { verdict };
      }
      const recycler = first(recycle, facts, stage);
      if (recycler) return { verdict, demotion: { stage: "recycled", ruleId: recycler.id, reason: recycler.label } };
      return { verdict };
    },
  };
}

/** A lead that has waited in a stage longer than the model allows. */
export interface SlaBreach {
  ruleId: string;
  label: string;
  /** The lead's stage (for a rule on the review too). */
  stage: Stage;
  /** When the wait the rule times began: the stage's entry, or for the review its since. */
  since: string;
  dueAt: string;
  hoursOverdue: number;
  notify: OwnerChannel[];
}

const HOUR_MS = 3_600_000;

/**
 * The SLA rules a lead breaches at `now`: in the stage past the deadline, and not accepted (or not moved);
 * a rule on the review: waiting sql-ready past the deadline (until a rep decides, whatever the owner).
 */
export function slaBreaches(
  rules: readonly SlaRule[],
  lead: Pick<Lead, "stage" | "stageEnteredAt" | "owner" | "review">,
  now: Date,
): SlaBreach[] {
  const breaches: SlaBreach[] = [];
  for (const rule of rules) {
    let since: string;
    if (rule.stage === "review") {
      if (!lead.review) continue;
      since = lead.review.since;
    } else {
      if (rule.stage !== lead.stage || (rule.until === "accepted" && lead.owner)) continue;
      since = lead.stageEnteredAt;
    }
    const due = Date.parse(since) + rule.hours * HOUR_MS;
    if (now.getTime() <= due) continue;
    breaches.push({
      ruleId: rule.id,
      label: rule.label,
      stage: lead.stage,
      since,
      dueAt: new Date(due).toISOString(),
      hoursOverdue: Math.round(((now.getTime() - due) / HOUR_MS) * 100) / 100,
      notify: rule.notify,
    });
  }
  return breaches;
}
