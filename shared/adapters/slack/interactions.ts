import type { RepActionPress, RepActionSource } from "#shared/application/ports/rep-action-source";
import { actionOutcomeMessage } from "./blocks";
import { type BlockActionsPayload, parseInteraction, repCommand } from "./interaction-payload";
import { escapeMrkdwn } from "./mrkdwn";
import { SLACK_TOLERANCE_SECONDS, verifySlackSignature } from "./signature";

export const SLACK_SIGNING_SECRET = "SLACK_SIGNING_SECRET";

/** A press in a Slack alert: the rep's Slack id, and the message to update through its response_url. */
export interface SlackPress extends RepActionPress {
  slackUserId: string;
  payload: BlockActionsPayload;
}

/**
 * Slack's interactive messages as a channel reps act through (POST /slack/interactions): Slack's signing
 * secret over the raw body, the block_actions payload of Ripen's buttons (a link button asks nothing),
 * and answers through the interaction's response_url: the buttons replaced by who did what, or an
 * ephemeral reply only the rep sees. Slack wants its 200 within 3 s.
 */
export function slackRepActions(toleranceSeconds: number = SLACK_TOLERANCE_SECONDS): RepActionSource<SlackPress> {
  return {
    secretName: SLACK_SIGNING_SECRET,
    verify: (request, secret, now) => verifySlackSignature(request, secret, now, toleranceSeconds),
    press(request) {
      const payload = parseInteraction(request.headers["content-type"], request.rawBody);
      const command = repCommand(payload);
      if (command.kind === "open") return undefined;
      const action = payload.actions[0] as BlockActionsPayload["actions"][number];
      const user = payload.user;
      return {
        leadId: command.leadId,
        action:
          command.kind === "accept" || command.kind === "qualify"
            ? { type: command.kind }
            : { type: command.kind, reason: command.reason },
        // A rep the routing team does not know owns leads by their Slack id; their email is unknown.
        rep: {
          id: user.id,
          owner: {
            id: `slack:${user.id}`,
            name: user.name ?? user.username ?? user.id,
            email: "",
            slackUserId: user.id,
          },
        },
        idempotencyKey: `slack:${action.action_ts}`,
        slackUserId: user.id,
        payload,
      };
    },
    applied: (press, done) =>
      press.payload.response_url
        ? {
            to: press.payload.response_url,
            message: actionOutcomeMessage(press.payload.message, { ...done, slackUserId: press.slackUserId }),
          }
        : undefined,
    refused: (press, reason) =>
      press.payload.response_url
        ? {
            to: press.payload.response_url,
            message: { response_type: "ephemeral", replace_original: false, text: `:warning: ${escapeMrkdwn(reason)}` },
          }
        : undefined,
  };
}
