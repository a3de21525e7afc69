import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Node } from "constructs";
import * as z from "zod";
import { knownIndex, TABLE } from "#shared/adapters/dynamodb/table-definition";
import { SOURCES } from "#shared/domain/lead-event";
import { declaredNames, STACK_ENV } from "#shared/runtime/env";

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

/** Names the stack sets itself (STACK_ENV, the platform's), and names that would put a secret in plain text. */
const RESERVED = new RegExp(`^(${STACK_ENV.join("|")}|POWERTOOLS_.*|NODE_OPTIONS|AWS_.*)$`);
const declared = declaredNames();
const SECRET_LOOKING = /SECRET|TOKEN|PASSWORD|WEBHOOK|KEY/;
// From cdk.json an object; from `-c ripen:functionEnvironment='{"A":"b"}'` a JSON string.
const jsonObject = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? JSON.parse(value) : value);
const functionEnvironment = z.preprocess(
  jsonObject,
  z
    .record(
      z.string().regex(/^[A-Z][A-Z0-9_]*$/, "names are UPPER_SNAKE_CASE"),
      z.union([z.string(), z.number(), z.boolean()]),
    )
    .superRefine((variables, context) => {
      for (const name of Object.keys(variables)) {
        if (RESERVED.test(name)) context.addIssue({ code: "custom", message: `${name} is set by the stack` });
        else if (!declared.has(name)) {
          context.addIssue({
            code: "custom",
            message: `${name} is read by no function (FUNCTION_ENV in shared/runtime/env.ts declares what each reads)`,
          });
        }
        if (SECRET_LOOKING.test(name)) {
          context.addIssue({
            code: "custom",
            message: `${name} looks like a secret: put it in the Secrets Manager secret`,
          });
        }
      }
    })
    .transform((variables) =>
      Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(value)])),
    ),
);

// From cdk.json an array; from `-c ripen:tableIndexes=gsi1,gsi1v2` a comma-separated string.
const nameList = (value: unknown) =>
  typeof value === "string"
    ? value
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== "")
    : value;
const tableIndexes = z.preprocess(
  nameList,
  z.array(z.string()).superRefine((names, context) => {
    for (const name of names) {
      if (!knownIndex(name)) context.addIssue({ code: "custom", message: `${name} is no index, current or retired` });
    }
    if (new Set(names).size !== names.length) context.addIssue({ code: "custom", message: "names an index twice" });
  }),
);

// From cdk.json an object; from `-c ripen:webhookThrottles='{"typeform":{...}}'` a JSON string.
const throttle = z.strictObject({ rateLimit: z.number().positive(), burstLimit: z.number().int().nonnegative() });
const webhookThrottles = z.preprocess(
  jsonObject,
  z.record(z.string(), throttle).superRefine((limits, context) => {
    for (const name of Object.keys(limits)) {
      if (!(SOURCES as readonly string[]).includes(name)) {
        context.addIssue({ code: "custom", message: `${name} is no sender (${SOURCES.join(", ")})` });
      }
    }
  }),
);
// Unset, empty or 0: no reservation (AWS keeps 100 unreserved; new accounts may have 10 in all).
const reservation = z.preprocess(
  (value) => (value === "" || value === 0 || value === "0" ? undefined : value),
  z.coerce.number().int().positive().optional(),
);

/** What each of Ripen's own alarms fires above, per 5 minutes (rates as fractions); each can be tuned. */
export const ALARM_THRESHOLDS = {
  /** 401 invalid_signature from one sender: a rotated secret, or someone probing. */
  invalidSignatures: 10,
  /** 503 source_not_configured from one sender: it was connected before its secret was stored. */
  sourceNotConfigured: 0,
  /** Alerts one channel could not deliver. */
  alertFailures: 0,
  /** DynamoDB requests throttled, over the operations Ripen makes. */
  dynamodbThrottles: 0,
  /** DynamoDB internal errors (5xx from the service). */
  dynamodbSystemErrors: 0,
  /** SES bounce rate (AWS reviews an account at 5 %, may pause it at 10 %). */
  sesBounceRate: 0.04,
  /** SES complaint rate (AWS reviews at 0.1 %, may pause at 0.5 %). */
  sesComplaintRate: 0.0008,
} as const;
export type AlarmThresholds = { -readonly [K in keyof typeof ALARM_THRESHOLDS]: number };
// From cdk.json an object; from `-c ripen:alarmThresholds='{"invalidSignatures":50}'` a JSON string.
const alarmThresholds = z.preprocess(
  jsonObject,
  z
    .strictObject(
      Object.fromEntries(
        Object.keys(ALARM_THRESHOLDS).map((name) => [name, z.number().nonnegative().optional()]),
      ) as Record<keyof typeof ALARM_THRESHOLDS, z.ZodOptional<z.ZodNumber>>,
    )
    .transform((given): AlarmThresholds => ({ ...ALARM_THRESHOLDS, ...withoutUndefined(given) })),
);
function withoutUndefined(values: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, number] => entry[1] !== undefined),
  );
}

const RipenConfigSchema = z.object({
  /**
   * A stage name put in the stack names (RipenStateful-<stage>, RipenStateless-<stage>), so stages deploy
   * side by side in one account. Unset: the names stay RipenStateful and RipenStateless (MIGRATIONS.md).
   */
  stage: optionalText.pipe(
    z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,23}$/, "lower-case letters, digits and -, starting with a letter, at most 24")
      .optional(),
  ),
  /** Address alerts are sent from (SES). Unset: no function gets SES permissions. */
  fromAddress: optionalText.pipe(z.email().optional()),
  /** The verified SES identity that covers fromAddress: a domain or the address itself. */
  sesIdentity: optionalText,
  /** An SES configuration set to send through (event publishing, dedicated IPs). */
  sesConfigurationSet: optionalText,
  /** Plain settings every function gets (SLACK_CHANNEL, RIPEN_LEAD_URL, RIPEN_ALERT_EMAILS, ...). Never secrets. */
  functionEnvironment: functionEnvironment.default({}),
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
  /** Put a lead's creation into `lead` on the bus too (every other change of stage always is). */
  publishNewLeads: flag.default(false),
  /** The indexes the table has: set only while moving a deployed table between releases (MIGRATIONS.md). */
  tableIndexes: tableIndexes.default(() => TABLE.indexes.map((index) => index.name)),
  /** A sender's own route limit, by source name; the others get SENDER_THROTTLE (infra/api.ts). */
  webhookThrottles: webhookThrottles.default({}),
  /** Concurrency reserved for each notifier, so a surge elsewhere cannot starve alerts. Off by default. */
  notifierReservedConcurrency: reservation,
  /** Ripen's own alarms' thresholds, any subset of ALARM_THRESHOLDS; the rest keep their defaults. */
  alarmThresholds: alarmThresholds.default({ ...ALARM_THRESHOLDS }),
});

export interface EmailSettings {
  fromAddress: string;
  /** The SES identity to grant on: ripen:sesIdentity, or the from address's domain. */
  identity: string;
  configurationSet?: string;
}

export type RipenConfig = z.output<typeof RipenConfigSchema> & {
  /** What email senders get, when a from address is configured. */
  email?: EmailSettings;
};

/** The context keys, as written in cdk.json. */
export const CONTEXT_KEYS = {
  fromAddress: "ripen:fromAddress",
  sesIdentity: "ripen:sesIdentity",
  sesConfigurationSet: "ripen:sesConfigurationSet",
  functionEnvironment: "ripen:functionEnvironment",
  alarmEmail: "ripen:alarmEmail",
  publicUrl: "ripen:publicUrl",
  logRetentionDays: "ripen:logRetentionDays",
  archiveRetentionDays: "ripen:archiveRetentionDays",
  tracing: "ripen:tracing",
  publishNewLeads: "ripen:publishNewLeads",
  tableIndexes: "ripen:tableIndexes",
  stage: "ripen:stage",
  webhookThrottles: "ripen:webhookThrottles",
  notifierReservedConcurrency: "ripen:notifierReservedConcurrency",
  alarmThresholds: "ripen:alarmThresholds",
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
  const email: EmailSettings = {
    fromAddress: config.fromAddress,
    identity,
    ...(config.sesConfigurationSet && { configurationSet: config.sesConfigurationSet }),
  };
  return { ...config, email };
}
