import * as z from "zod/mini";
import { AccountNotFoundError } from "#shared/domain/errors";
import { roundPoints } from "#shared/domain/scoring-engine";
import { funnelRank, STAGES, type Stage } from "#shared/domain/stages";
import { type DomainIndex, type LeadBatchReader, type LeadSummary, leadSummary } from "./ports/lead-reads";

/** An account larger than this is summed over its first leads only, and says so. */
export const MAX_ACCOUNT_LEADS = 500;

export const AccountDomain = z
  .string()
  .check(
    z.trim(),
    z.toLowerCase(),
    z.maxLength(253),
    z.regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a domain like example.com"),
  );

export interface AccountView {
  domain: string;
  /** The sum of the account's lead scores, as Marketo rolls up people into an account. */
  combinedScore: number;
  /** The funnel stage the account's furthest lead has reached; outside the funnel only if all are. */
  mostAdvancedStage: Stage;
  leadCount: number;
  leadsByStage: Partial<Record<Stage, number>>;
  /** True when the account has more than MAX_ACCOUNT_LEADS leads and only those were summed. */
  truncated: boolean;
  /** Highest score first. */
  leads: LeadSummary[];
}

/**
 * The account roll-up: the leads of one company domain, their combined score and furthest stage.
 * Input: a domain. Output: AccountView, or AccountNotFoundError when no lead has that domain.
 * Main course: one Query on the domain index for the lead ids, then the lead items in batches.
 * Guarantees: reads only, bounded (at most MAX_ACCOUNT_LEADS leads, `truncated` says when more exist);
 * free-mail domains are no account.
 */
export const readAccount =
  (deps: { domains: DomainIndex; leads: LeadBatchReader }) =>
  async (domain: string): Promise<AccountView> => {
    const { leadIds, truncated } = await deps.domains.leadIdsOf(domain, MAX_ACCOUNT_LEADS);
    const leads = [...(await deps.leads.getLeads(leadIds)).values()].filter((lead) => lead.domain === domain);
    if (leads.length === 0) throw new AccountNotFoundError("no leads with that company domain");
    leads.sort((a, b) => b.score - a.score || (a.leadId < b.leadId ? -1 : 1));
    const leadsByStage: Partial<Record<Stage, number>> = {};
    for (const lead of leads) leadsByStage[lead.stage] = (leadsByStage[lead.stage] ?? 0) + 1;
    return {
      domain,
      combinedScore: roundPoints(leads.reduce((sum, lead) => sum + lead.score, 0)),
      mostAdvancedStage: mostAdvanced(leads.map((lead) => lead.stage)),
      leadCount: leads.length,
      leadsByStage,
      truncated,
      leads: leads.map(leadSummary),
    };
  };

/** The furthest funnel stage; if no lead is in the funnel, recycled (may come back) before disqualified. */
export function mostAdvanced(stages: readonly Stage[]): Stage {
  let best: Stage | undefined;
  for (const stage of stages) {
    if (funnelRank(stage) >= 0 && (best === undefined || funnelRank(stage) > funnelRank(best))) best = stage;
  }
  if (best) return best;
  return stages.includes("recycled") ? "recycled" : (stages[0] ?? STAGES[0]);
}
