import { InvalidTransitionError, LeadNotFoundError, SourceNotConfiguredError } from "#shared/domain/errors";
import type { Owner } from "#shared/domain/lead";
import type { RepAction } from "#shared/domain/rep-actions";
import type { RepActionOutcome, RepActionRequest } from "./apply-rep-action";
import type { AlertLog } from "./ports/alert-ledger";
import type { Clock } from "./ports/lead-store";
import type { AppliedAction, RepActionPress, RepActionReply, RepActionSource } from "./ports/rep-action-source";
import type { SecretProvider, WebhookRequest } from "./ports/webhook-source";

export interface IngestRepActionDeps<Press extends RepActionPress> {
  source: RepActionSource<Press>;
  secrets: SecretProvider;
  clock: Clock;
  apply: (request: RepActionRequest) => Promise<RepActionOutcome>;
  /** Sends the channel's answer (Slack: a post to the interaction's response_url). */
  respond: (to: string, message: object) => Promise<void>;
  log: AlertLog;
  /** The routing team's owner behind a press's rep, when the team knows them. */
  knownOwner?: (press: Press) => Owner | undefined;
}

const VERB = { accept: "accepted", qualify: "qualified", disqualify: "disqualified", recycle: "recycled" } as const;

/**
 * A rep acted on an alert (a button in Slack): the twin of ingestWebhook for the people Ripen alerts.
 * Input: the request as the channel sent it. Main course: verify the channel's signature over the raw
 * body (nothing is parsed before), read the press, apply the rep action through the write path, then
 * answer through the channel (the buttons replaced with who did what and when).
 * Guarantees: a bad or stale signature changes nothing; a repeated press id applies once, and its replay
 * is answered as the first was (the same answer, with the first application's time); a move the
 * lifecycle forbids changes nothing and the rep is told why, only them. The answer is a courtesy: the
 * action is stored before it, so a failed answer is logged, not thrown.
 */
export const ingestRepAction =
  <Press extends RepActionPress>(deps: IngestRepActionDeps<Press>) =>
  async (request: WebhookRequest): Promise<void> => {
    const { source } = deps;
    const secret = await deps.secrets.get(source.secretName);
    if (!secret) throw new SourceNotConfiguredError(`${source.secretName} is not configured`);
    source.verify(request, secret, deps.clock());

    const press = source.press(request);
    if (!press) return;
    let outcome: RepActionOutcome;
    try {
      outcome = await deps.apply({
        leadId: press.leadId,
        action: repAction(press, deps.knownOwner),
        actor: { type: "rep", id: press.rep.id },
        idempotencyKey: press.idempotencyKey,
      });
    } catch (error) {
      if (error instanceof InvalidTransitionError || error instanceof LeadNotFoundError) {
        // The domain's message names the lead: it goes to the rep, never to the logs.
        deps.log.info("rep action refused", { action: press.action.type, leadId: press.leadId, code: error.code });
        await reply(deps, source.refused(press, error.message));
        return;
      }
      throw error;
    }
    deps.log.info(outcome.duplicate ? "rep action replayed" : "rep action applied", {
      action: press.action.type,
      leadId: press.leadId,
      transitionId: outcome.transition?.transitionId,
      duplicate: outcome.duplicate,
    });
    const done: AppliedAction = {
      verb: VERB[press.action.type],
      at: new Date(outcome.appliedAt),
      ...("reason" in press.action && { reason: press.action.reason }),
    };
    await reply(deps, source.applied(press, done));
  };

/** An accept takes the lead for the rep: the routing team's owner when known, else who the channel says. */
function repAction<Press extends RepActionPress>(
  press: Press,
  knownOwner: IngestRepActionDeps<Press>["knownOwner"],
): RepAction {
  if (press.action.type !== "accept") return press.action;
  // A rep Ripen's routing does not know still takes the lead; the email is unknown until they are added.
  return { type: "accept", owner: knownOwner?.(press) ?? press.rep.owner };
}

async function reply(deps: Pick<IngestRepActionDeps<never>, "respond" | "log">, answer: RepActionReply | undefined) {
  if (!answer) return;
  try {
    await deps.respond(answer.to, answer.message);
  } catch (error) {
    deps.log.warn("could not answer the rep through the channel", { reason: (error as Error).message });
  }
}
