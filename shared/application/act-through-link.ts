import { InvalidPayloadError } from "#shared/domain/errors";
import type { Owner } from "#shared/domain/lead";
import type { LinkClaims } from "#shared/domain/links";
import type { RepAction } from "#shared/domain/rep-actions";
import type { RepActionOutcome, RepActionRequest } from "./apply-rep-action";

/** An action a lead page's form sent: what, and for disqualify and recycle why. */
export type LinkAction =
  | { type: "accept"; owner?: string }
  | { type: "qualify" }
  | { type: "disqualify" | "recycle"; reason: string };

export interface LinkActionRequest {
  leadId: string;
  /** The verified claims of the link the page was opened with. */
  claims: LinkClaims;
  /** The id of the page the form came from (its verified nonce): one action per page and verb. */
  pageId: string;
  action: LinkAction;
}

export interface ActThroughLinkDeps {
  apply: (request: RepActionRequest) => Promise<RepActionOutcome>;
  /** The routing team: who a rep is, by owner id. */
  owners: readonly Owner[];
}

/**
 * A rep acted from a lead page opened with a signed link. Input: the verified link's claims and the
 * form's action. Main course: decide who acts (the rep the link was made for; a link made for a channel
 * asks which owner accepts), then apply the action through the same write path as Slack's buttons.
 * Guarantees: the actor is recorded as `link:<owner id>`: that rep, through a link; the same page and
 * verb apply once (a second click is a replay, answered with the first's time); a move the lifecycle
 * forbids throws InvalidTransitionError and writes nothing.
 */
export const actThroughLink =
  (deps: ActThroughLinkDeps) =>
  async (request: LinkActionRequest): Promise<RepActionOutcome> => {
    const rep = repOf(deps.owners, request.claims, request.action);
    return deps.apply({
      leadId: request.leadId,
      action: repAction(request.action, rep),
      actor: { type: "rep", id: `link:${rep?.id ?? "unnamed"}` },
      idempotencyKey: `link:${request.pageId}:${request.action.type}`,
    });
  };

function repOf(owners: readonly Owner[], claims: LinkClaims, action: LinkAction): Owner | undefined {
  if (claims.rep) {
    // A rep the routing team no longer lists (or one Slack named) still acts as themself.
    return owners.find((owner) => owner.id === claims.rep) ?? { id: claims.rep, name: claims.rep, email: "" };
  }
  if (action.type !== "accept") return undefined;
  const chosen = owners.find((owner) => owner.id === action.owner);
  if (!chosen) throw new InvalidPayloadError("say who accepts the lead: one of the routing team's owners");
  return chosen;
}

function repAction(action: LinkAction, rep: Owner | undefined): RepAction {
  if (action.type === "accept") {
    if (!rep) throw new InvalidPayloadError("say who accepts the lead");
    return { type: "accept", owner: rep };
  }
  return action;
}
