import type { AlertLog } from "../../application/alert-ledger";
import type { RepAction, RepActionOutcome, RepActionRequest } from "../../application/apply-rep-action";
import type { SecretProvider } from "../../application/ingest-webhook";
import type { Clock } from "../../application/ports";
import { InvalidTransitionError, LeadNotFoundError, SourceNotConfiguredError } from "../../domain/errors";
import type { Owner } from "../../domain/lead";
import type { WebhookRequest } from "../sources/source";
import { type ActionOutcome, actionOutcomeMessage } from "./blocks";
import { type BlockActionsPayload, parseInteraction, type RepCommand, repCommand } from "./interaction-payload";
import { escapeMrkdwn } from "./mrkdwn";
import { SLACK_TOLERANCE_SECONDS, verifySlackSignature } from "./signature";

export const SLACK_SIGNING_SECRET = "SLACK_SIGNING_SECRET";

/** A Slack message posted to an interaction's response_url. */
export type ResponseMessage = object;

export interface SlackInteractionsDeps {
  secrets: SecretProvider;
  clock: Clock;
  apply: (request: RepActionRequest) => Promise<RepActionOutcome>;
  /** Posts to the interaction's response_url (updates or answers the message). */
  respond: (responseUrl: string, message: ResponseMessage) => Promise<void>;
  log: AlertLog;
  /** The rep behind a Slack user id (the model's routing team); unknown reps own leads by their Slack id. */
  repBySlackId?: (slackUserId: string) => Owner | undefined;
  toleranceSeconds?: number;
}

const VERB = { accept: "accepted", disqualify: "disqualified", recycle: "recycled" } as const;

/**
 * POST /slack/interactions: a rep pressed a button in an alert.
 * Main course: verify Slack's signature over the raw body (nothing is parsed before), parse the
 * block_actions payload, apply the rep action through the write path, then replace the message's
 * buttons with who did what and when (response_url).
 * Guarantees: a bad or stale signature changes nothing; a repeated action id (Slack's action_ts) applies
 * once, and its replay is answered as the first was (the same message update, with the first
 * application's time); a move the lifecycle forbids changes nothing and the rep is told why (an
 * ephemeral reply). Slack needs an answer within 3 s: the write is one transaction and the message
 * update is bounded by a timeout.
 */
export const slackInteractions =
  (deps: SlackInteractionsDeps) =>
  async (request: WebhookRequest): Promise<void> => {
    const secret = await deps.secrets.get(SLACK_SIGNING_SECRET);
    if (!secret) throw new SourceNotConfiguredError(`${SLACK_SIGNING_SECRET} is not configured`);
    verifySlackSignature(request, secret, deps.clock(), deps.toleranceSeconds ?? SLACK_TOLERANCE_SECONDS);

    const payload = parseInteraction(request.headers["content-type"], request.rawBody);
    const command = repCommand(payload);
    if (command.kind === "open") return;

    const action = payload.actions[0] as BlockActionsPayload["actions"][number];
    const rep = payload.user;
    let outcome: RepActionOutcome;
    try {
      outcome = await deps.apply({
        leadId: command.leadId,
        action: repAction(command, rep, deps.repBySlackId),
        actor: { type: "rep", id: rep.id },
        idempotencyKey: `slack:${action.action_ts}`,
      });
    } catch (error) {
      if (error instanceof InvalidTransitionError || error instanceof LeadNotFoundError) {
        // The domain's message names the lead: it goes to the rep, never to the logs.
        deps.log.info("rep action refused", { action: command.kind, leadId: command.leadId, code: error.code });
        const text = `:warning: ${escapeMrkdwn(error.message)}`;
        await reply(deps, payload, { response_type: "ephemeral", replace_original: false, text });
        return;
      }
      throw error;
    }
    deps.log.info(outcome.duplicate ? "rep action replayed" : "rep action applied", {
      action: command.kind,
      leadId: command.leadId,
      transitionId: outcome.transition?.transitionId,
      duplicate: outcome.duplicate,
    });
    const done: ActionOutcome = {
      verb: VERB[command.kind],
      slackUserId: rep.id,
      at: new Date(outcome.appliedAt),
      ...(command.kind !== "accept" && { reason: command.reason }),
    };
    await reply(deps, payload, actionOutcomeMessage(payload.message, done));
  };

function repAction(
  command: Exclude<RepCommand, { kind: "open" }>,
  rep: BlockActionsPayload["user"],
  repBySlackId: SlackInteractionsDeps["repBySlackId"],
): RepAction {
  if (command.kind !== "accept") return { type: command.kind, reason: command.reason };
  const known = repBySlackId?.(rep.id);
  // A rep Ripen's routing does not know still takes the lead; the email is unknown until they are added.
  const owner: Owner = known ?? {
    id: `slack:${rep.id}`,
    name: rep.name ?? rep.username ?? rep.id,
    email: "",
    slackUserId: rep.id,
  };
  return { type: "accept", owner };
}

/** The message update is a courtesy: the action is already stored, so a failure here is logged, not thrown. */
async function reply(deps: SlackInteractionsDeps, payload: BlockActionsPayload, message: ResponseMessage) {
  if (!payload.response_url) return;
  try {
    await deps.respond(payload.response_url, message);
  } catch (error) {
    deps.log.warn("could not update the Slack message", { reason: (error as Error).message });
  }
}
