import * as z from "zod/mini";
import type { Stage } from "#shared/domain/stages";
import type { NotificationRule } from "./grammar/notifications";

export type { NotificationRule } from "./grammar/notifications";

/**
 * Which stage changes alert whom, and where: `slack` and `email` reach the lead's owner, `marketing` the
 * marketing team's Slack channel (SLACK_MARKETING_CHANNEL or SLACK_MARKETING_WEBHOOK_URL).
 */
export const Channel = z.enum(["slack", "email", "marketing"]);
export type Channel = z.infer<typeof Channel>;

/** The channels that reach a lead's owner (an SLA reminder is the owner's), and where an alert goes unless told. */
export const OWNER_CHANNELS = ["slack", "email"] as const satisfies readonly Channel[];
export const OwnerChannel = z.enum(OWNER_CHANNELS);
export type OwnerChannel = z.infer<typeof OwnerChannel>;

/** The marketing channel's alert from before the model could route it: every lead that becomes mql. */
export const MARKETING_QUALIFIED: NotificationRule = {
  id: "marketing-qualified",
  to: ["mql"],
  channels: ["marketing"],
};

/**
 * The rules in force: the model's, and MARKETING_QUALIFIED while none of them names the marketing channel,
 * so a model written before it could (a marketing channel then got every mql) alerts it as it did.
 */
export function notificationRules(rules: readonly NotificationRule[]): readonly NotificationRule[] {
  return rules.some((rule) => rule.channels.includes("marketing")) ? rules : [...rules, MARKETING_QUALIFIED];
}

/** The channels a stage change notifies, across every rule that names it (none: no alert). */
export function channelsFor(rules: readonly NotificationRule[], move: { from: Stage | null; to: Stage }): Channel[] {
  const channels = new Set<Channel>();
  for (const rule of rules) {
    if (!rule.to.includes(move.to)) continue;
    if (rule.from && (move.from === null || !rule.from.includes(move.from))) continue;
    for (const channel of rule.channels) channels.add(channel);
  }
  return [...channels];
}

/**
 * True when a lead's creation alerts: a rule on `lead` from any stage. Creations are published on the
 * bus only when something needs them (stream-publications.ts), so such a rule turns their publication on.
 */
export function notifiesOnCreation(rules: readonly NotificationRule[]): boolean {
  return channelsFor(notificationRules(rules), { from: null, to: "lead" }).length > 0;
}
