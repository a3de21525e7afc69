import * as z from "zod/mini";
import { InvalidPayloadError, RipenError, UnsupportedMediaTypeError } from "#shared/domain/errors";
import { LeadId } from "#shared/domain/lead";
import { TransitionId } from "#shared/domain/lead-fold";
import { issueDetails } from "#shared/edge/schema-issues";
import { ACTION_IDS, DISQUALIFY_REASONS, type DisqualifyReason, RECYCLE_REASON } from "./blocks";

/** A Slack interaction Ripen has no handler for (an action id it never put in a message). */
export class UnknownActionError extends RipenError {
  readonly code = "unknown_action";
}

// Slack's ids are bounded in length: action_ts keys the stored idempotency marker, the user id is stored as an owner.
const SLACK_ID_MAX = 64;
const SlackUserId = z.string().check(z.maxLength(SLACK_ID_MAX), z.regex(/^[UW][A-Z0-9]+$/, "a Slack user id"));

const BlockAction = z.object({
  action_id: z.string().check(z.minLength(1), z.maxLength(255)),
  block_id: z.optional(z.string()),
  type: z.string(),
  value: z.optional(z.string().check(z.maxLength(2000))),
  selected_option: z.optional(z.object({ value: z.string().check(z.maxLength(150)) })),
  /** The click's id: the rep action's idempotency key. */
  action_ts: z.string().check(z.minLength(1), z.maxLength(SLACK_ID_MAX)),
});

/** The part of a `block_actions` payload Ripen reads. */
export const BlockActionsPayload = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: SlackUserId, username: z.optional(z.string()), name: z.optional(z.string()) }),
  trigger_id: z.optional(z.string()),
  response_url: z.optional(z.url()),
  message: z.optional(
    z.object({
      ts: z.optional(z.string()),
      text: z.optional(z.string()),
      blocks: z.optional(z.array(z.unknown())),
    }),
  ),
  actions: z.array(BlockAction).check(z.minLength(1)),
});
export type BlockActionsPayload = z.infer<typeof BlockActionsPayload>;

/** What a button or option carried (see encodeActionValue). */
const ActionValue = z.object({
  l: LeadId,
  t: z.optional(TransitionId),
  r: z.optional(z.string()),
});

/**
 * Reads Slack's interaction request: `application/x-www-form-urlencoded` with one field, `payload`, holding
 * JSON. Only `block_actions` are expected (Ripen sends no modals or shortcuts).
 */
export function parseInteraction(contentType: string | undefined, rawBody: Buffer): BlockActionsPayload {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") {
    throw new UnsupportedMediaTypeError("Slack interactions are application/x-www-form-urlencoded");
  }
  const text = new URLSearchParams(rawBody.toString("utf8")).get("payload");
  if (text === null) throw new InvalidPayloadError("the form has no payload field");
  const json = parseJson(text, "the payload field is not JSON");
  const type = (json as { type?: unknown } | null)?.type;
  if (type !== "block_actions") throw new UnknownActionError(`Ripen does not handle "${String(type)}" interactions`);
  const parsed = BlockActionsPayload.safeParse(json);
  if (!parsed.success) {
    throw new InvalidPayloadError("the interaction payload is not a valid block_actions payload", {
      // Path and message only: this refusal never carried the issue's code.
      issues: issueDetails(parsed.error.issues).map(({ path, message }) => ({ path, message })),
    });
  }
  return parsed.data;
}

/** A rep's click, as Ripen understands it. */
export type RepCommand =
  | { kind: "accept"; leadId: string; transitionId?: string }
  | { kind: "qualify"; leadId: string; transitionId?: string }
  | { kind: "disqualify"; leadId: string; transitionId?: string; reason: string }
  | { kind: "recycle"; leadId: string; transitionId?: string; reason: string }
  /** A link button: Slack reports the click, there is nothing to do. */
  | { kind: "open" };

/** The command in the payload's first action. Unknown action ids throw UnknownActionError. */
export function repCommand(payload: BlockActionsPayload): RepCommand {
  const action = payload.actions[0] as BlockActionsPayload["actions"][number];
  switch (action.action_id) {
    case ACTION_IDS.open:
    case ACTION_IDS.openCrm:
      return { kind: "open" };
    case ACTION_IDS.accept:
      return { kind: "accept", ...target(action.value) };
    case ACTION_IDS.qualify:
      return { kind: "qualify", ...target(action.value) };
    case ACTION_IDS.recycle:
      return { kind: "recycle", ...target(action.value), reason: RECYCLE_REASON };
    case ACTION_IDS.disqualify: {
      const value = decode(action.selected_option?.value);
      const code = value.r;
      if (!code || !Object.hasOwn(DISQUALIFY_REASONS, code)) {
        throw new InvalidPayloadError(`unknown disqualification reason "${code ?? ""}"`);
      }
      return {
        kind: "disqualify",
        ...target(action.selected_option?.value),
        reason: DISQUALIFY_REASONS[code as DisqualifyReason],
      };
    }
    default:
      throw new UnknownActionError(`unknown action "${action.action_id.slice(0, 100)}"`);
  }
}

function target(raw: string | undefined): { leadId: string; transitionId?: string } {
  const value = decode(raw);
  return { leadId: value.l, ...(value.t !== undefined && { transitionId: value.t }) };
}

function decode(raw: string | undefined): z.infer<typeof ActionValue> {
  if (raw === undefined) throw new InvalidPayloadError("the action carries no value");
  const parsed = ActionValue.safeParse(parseJson(raw, "the action's value is not Ripen's"));
  if (!parsed.success) throw new InvalidPayloadError("the action's value is not Ripen's");
  return parsed.data;
}

function parseJson(text: string, problem: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidPayloadError(problem);
  }
}
