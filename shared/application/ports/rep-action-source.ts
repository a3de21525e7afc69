import type { Owner } from "#shared/domain/lead";
import type { WebhookRequest } from "./webhook-source";

/** A rep's press of a button (Accept, Qualify, Disqualify, Recycle), as the channel that carried it reports it. */
export interface RepActionPress {
  leadId: string;
  /** What the rep asked for; an accept names no owner yet (ingestRepAction decides who the rep is). */
  action: { type: "accept" } | { type: "qualify" } | { type: "disqualify" | "recycle"; reason: string };
  /** The rep, by the channel's id; `owner` is who they are when the routing team does not know them. */
  rep: { id: string; owner: Owner };
  /** The press's own id (Slack's action_ts): the same id applies once. */
  idempotencyKey: string;
}

/** What the channel sends back, and where (Slack: the interaction's response_url). */
export interface RepActionReply {
  to: string;
  message: object;
}

/** How an applied action is told back: who did what, and when. */
export interface AppliedAction {
  verb: "accepted" | "qualified" | "disqualified" | "recycled";
  at: Date;
  reason?: string;
}

/**
 * A channel reps act through (Slack's interactive messages): how its requests are verified and read, and
 * how it answers. The use case (ingestRepAction) owns the order: verify, read, apply, answer.
 */
export interface RepActionSource<Press extends RepActionPress = RepActionPress> {
  /** The secret its requests are signed with (RIPEN_SECRET-style name, from the secret provider). */
  readonly secretName: string;
  /** Throws InvalidSignatureError or StaleTimestampError; nothing of the body is read before it passes. */
  verify(request: WebhookRequest, secret: string, now: Date): void;
  /** The press the request carries, or undefined when there is nothing to do (a link button). */
  press(request: WebhookRequest): Press | undefined;
  /** The answer to an applied action (the message's buttons replaced by who did what). */
  applied(press: Press, done: AppliedAction): RepActionReply | undefined;
  /** The answer to a refused one, only to the rep: the domain's reason, as text. */
  refused(press: Press, reason: string): RepActionReply | undefined;
}
