import { z } from "zod";
import { STAGES, type Stage } from "../stages";
import { Identifier } from "./conditions";

/** Which stage changes alert the lead's owner, and on which channels. */
export const Channel = z.enum(["slack", "email"]);
export type Channel = z.infer<typeof Channel>;

export const NotificationRule = z
  .strictObject({
    id: Identifier,
    to: z.array(z.enum(STAGES)).min(1).describe("notify when a lead enters one of these stages"),
    from: z.array(z.enum(STAGES)).min(1).optional().describe("... coming from one of these (default: any)"),
    channels: z.array(Channel).min(1).default(["slack", "email"]),
  })
  .meta({ id: "NotificationRule" });
export type NotificationRule = z.infer<typeof NotificationRule>;

export const DEFAULT_NOTIFICATIONS: NotificationRule[] = [
  { id: "sales-ready", to: ["sql"], channels: ["slack", "email"] },
];

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
