import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Node } from "constructs";
import { z } from "zod";

/**
 * Deployment settings, read once from CDK context (`cdk.json` or `-c key=value`). Everything has a
 * default so `cdk synth` works from a clean clone; an empty string means "not configured".
 */
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();
const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]);
const days = z.coerce.number().int().positive();
const RETENTIONS = Object.values(RetentionDays).filter((value): value is RetentionDays => typeof value === "number");
const retention = days
  .refine((value) => RETENTIONS.includes(value), `must be one of ${RETENTIONS.join(", ")}`)
  .transform((value) => value as RetentionDays);

const RipenConfigSchema = z.object({
  /** Address alerts are sent from (SES). Unset: no function gets SES permissions. */
  fromAddress: optionalText.pipe(z.email().optional()),
  /** The verified SES identity that covers fromAddress: a domain or the address itself. */
  sesIdentity: optionalText,
  /** Who receives alarm notifications by email. Unset: alarms publish to the topic only. */
  alarmEmail: optionalText.pipe(z.email().optional()),
  /** The public base URL senders use (a custom domain). Unset: the API's execute-api URL. */
  publicUrl: optionalText.pipe(z.url().optional()),
  /** Days function, API and Pipe logs are kept. */
  logRetentionDays: retention.default(RetentionDays.ONE_MONTH),
  /** Events kept for replay. Bounded: archived events carry personal data an erasure cannot reach. */
  archiveRetentionDays: days.default(30),
  /** X-Ray active tracing on every function. */
  tracing: flag.default(false),
});

export type RipenConfig = z.output<typeof RipenConfigSchema> & {
  /** The SES identity to grant on, derived from fromAddress when not given. */
  email?: { fromAddress: string; identity: string };
};

/** The context keys, as written in cdk.json. */
export const CONTEXT_KEYS = {
  fromAddress: "ripen:fromAddress",
  sesIdentity: "ripen:sesIdentity",
  alarmEmail: "ripen:alarmEmail",
  publicUrl: "ripen:publicUrl",
  logRetentionDays: "ripen:logRetentionDays",
  archiveRetentionDays: "ripen:archiveRetentionDays",
  tracing: "ripen:tracing",
} as const satisfies Record<keyof z.input<typeof RipenConfigSchema>, string>;

export function readConfig(node: Node): RipenConfig {
  const raw = Object.fromEntries(
    Object.entries(CONTEXT_KEYS).map(([field, key]) => [field, node.tryGetContext(key) ?? undefined]),
  );
  const result = RipenConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path[0] as keyof typeof CONTEXT_KEYS;
      return `${CONTEXT_KEYS[field] ?? field}: ${issue.message}`;
    });
    throw new Error(`invalid CDK context: ${problems.join("; ")}`);
  }
  const config = result.data;
  if (!config.fromAddress) return config;
  const identity = config.sesIdentity ?? config.fromAddress.split("@")[1] ?? config.fromAddress;
  return { ...config, email: { fromAddress: config.fromAddress, identity } };
}
