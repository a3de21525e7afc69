import * as z from "zod";
import { Channel, OWNER_CHANNELS } from "#shared/domain/model/notifications";
import { STAGES } from "#shared/domain/stages";
import { Identifier } from "./conditions";

/**
 * Which stage changes alert whom, and where: `slack` and `email` reach the lead's owner, `marketing` the
 * marketing team's Slack channel (SLACK_MARKETING_CHANNEL or SLACK_MARKETING_WEBHOOK_URL).
 */

export const NotificationRule = z
  .strictObject({
    id: Identifier,
    to: z.array(z.enum(STAGES)).min(1).describe("notify when a lead enters one of these stages"),
    from: z.array(z.enum(STAGES)).min(1).optional().describe("... coming from one of these (default: any)"),
    channels: z
      .array(Channel)
      .min(1)
      .default([...OWNER_CHANNELS])
      .describe("slack and email: the lead's owner; marketing: the marketing team's Slack channel"),
  })
  .meta({ id: "NotificationRule" });
export type NotificationRule = z.infer<typeof NotificationRule>;

export const DEFAULT_NOTIFICATIONS: NotificationRule[] = [
  { id: "sales-ready", to: ["sql"], channels: [...OWNER_CHANNELS] },
];
