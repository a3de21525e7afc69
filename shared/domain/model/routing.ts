import type { Owner } from "#shared/domain/lead";
import type { CompileScope, LeadFacts, Test } from "./compile-conditions";
import { compileLeadCondition } from "./compile-conditions";
import type { Routing } from "./grammar/routing";

export type { Routing } from "./grammar/routing";

/**
 * Routing: who should own a lead. Rules (territory, segment) are tried in order; the first that matches
 * picks among its owners by round robin, deterministic per lead so every evaluation names the same rep.
 */

/** 32-bit FNV-1a: a stable spread of lead ids over a team, the same on every machine. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export interface CompiledRouting {
  owners: readonly Owner[];
  route(leadId: string, facts: LeadFacts): { owner: Owner; ruleId: string } | undefined;
}

export function compileRouting(routing: Routing | undefined, scope: CompileScope): CompiledRouting {
  if (!routing) return { owners: [], route: () => undefined };
  const owners: Owner[] = routing.owners.map((owner) => ({ ...owner }));
  const byId = new Map(owners.map((owner) => [owner.id, owner]));
  const team = (ids: readonly string[]) =>
    ids.map((id) => {
      const owner = byId.get(id);
      if (!owner) throw new Error(`unknown owner "${id}"`);
      return owner;
    });
  const rules: { id: string; when: Test<LeadFacts>; team: Owner[] }[] = routing.rules.map((rule) => ({
    id: rule.id,
    when: compileLeadCondition(rule.when, scope),
    team: team(rule.owners),
  }));
  const fallback = routing.fallback ? team(routing.fallback) : owners;
  // Round robin without shared state: the lead's hash picks its place in the rotation. A lead is routed
  // at every evaluation, so its hash is kept while the same lead comes again.
  let last = { leadId: "", hash: stableHash("") };
  const pick = (members: readonly Owner[], leadId: string) => {
    if (members.length === 0) return undefined;
    if (last.leadId !== leadId) last = { leadId, hash: stableHash(leadId) };
    return members[last.hash % members.length];
  };
  return {
    owners,
    route(leadId, facts) {
      for (const rule of rules) {
        if (!rule.when(facts)) continue;
        const owner = pick(rule.team, leadId);
        if (owner) return { owner, ruleId: rule.id };
      }
      const owner = pick(fallback, leadId);
      return owner && { owner, ruleId: "routing.fallback" };
    },
  };
}
