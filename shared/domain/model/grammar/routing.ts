import * as z from "zod";
import { Identifier, LeadCondition } from "./conditions";

/**
 * Routing: who should own a lead. Rules (territory, segment) are tried in order; the first that matches
 * picks among its owners by round robin, deterministic per lead so every evaluation names the same rep.
 */

export const OwnerSchema = z
  .strictObject({
    id: Identifier,
    name: z.string().min(1),
    email: z.email(),
    slackUserId: z
      .string()
      .regex(/^[UW][A-Z0-9]{2,}$/, "a Slack member id like U024BE7LH")
      .optional(),
  })
  .meta({ id: "Owner" });

export const RoutingRule = z
  .strictObject({
    id: Identifier,
    label: z.string().min(1).optional(),
    when: LeadCondition,
    owners: z.array(Identifier).min(1).describe("owner ids; leads are spread among them by round robin"),
  })
  .meta({ id: "RoutingRule" });

export const Routing = z.strictObject({
  owners: z.array(OwnerSchema).min(1),
  rules: z.array(RoutingRule).default([]),
  fallback: z.array(Identifier).min(1).optional().describe("owner ids for leads no rule matches (default: all)"),
});
export type Routing = z.infer<typeof Routing>;
