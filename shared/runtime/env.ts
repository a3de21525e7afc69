import * as z from "zod/mini";
import { DEFAULT_FUTURE_TOLERANCE_SECONDS } from "#shared/domain/lead-event";
import { DEFAULT_LINK_DAYS, MAX_LINK_DAYS } from "#shared/domain/links";
import { issueSummary } from "#shared/edge/schema-issues";
import type { FunctionName } from "./routes";
import { DEFAULT_MAX_WRU, WORK_QUEUE } from "./work-queue";

/**
 * Each function's environment, declared once: names and schemas. The handler parses its own with
 * `readEnv(FUNCTION_ENV.<name>)` at load; the stack refuses a `ripen:functionEnvironment` name no function
 * declares (infra/config.ts) and sets the ones it owns (STACK_ENV); the local runtime checks the
 * environment it gives the handlers against every declaration before it loads them.
 */

/** A whole number of seconds above zero, `fallback` when unset. */
export const positiveSeconds = (fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.positive()), fallback);
const nonEmpty = () => z.string().check(z.minLength(1));
const flag = () => z._default(z.stringbool(), false);

/** Where the table is: every function that touches DynamoDB reads this. */
export const tableEnvShape = {
  TABLE_NAME: nonEmpty(),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z._default(nonEmpty(), "us-east-1"),
};

/** The Secrets Manager secret (sender signing secrets, Slack credentials); locally RIPEN_SECRET_<SOURCE> instead. */
const secretsEnvShape = { RIPEN_SECRETS_ARN: z.optional(nonEmpty()) };
/** The lead id key: its secret in AWS, the key itself locally (runtime/pseudonyms.ts). */
const idKeyEnvShape = { RIPEN_ID_KEY_ARN: z.optional(nonEmpty()), RIPEN_ID_KEY: z.optional(nonEmpty()) };
/** The key signed links are made and checked with: its secret in AWS, the key itself locally (runtime/links.ts). */
const linkKeyEnvShape = { RIPEN_LINK_KEY_ARN: z.optional(nonEmpty()), RIPEN_LINK_KEY: z.optional(nonEmpty()) };
/** Set by the local runtime only: local fallbacks (print alerts, the development id key). */
const localEnvShape = { RIPEN_LOCAL: z.optional(z.string()) };

/** How long a notifier's claim on an alert holds before another delivery may take it over (a crash). */
export const alertLeaseEnvShape = {
  RIPEN_ALERT_LEASE_SECONDS: positiveSeconds(60),
};

/** What every notifier reads (notifier.ts adds it to the channel's own). */
export const notifierEnvShape = {
  ...tableEnvShape,
  ...alertLeaseEnvShape,
  ...localEnvShape,
  ...linkKeyEnvShape,
  /** Where a rep opens a lead in the CRM, e.g. https://crm.example.com/leads/{leadId}. */
  RIPEN_LEAD_URL: z.optional(nonEmpty()),
  /** The base URL of the lead pages alerts link to (the API's URL in AWS); unset: no lead page link. */
  RIPEN_PUBLIC_URL: z.optional(z.url()),
  /** How many days an alert's link to its lead page works. */
  RIPEN_LINK_DAYS: z._default(z.coerce.number().check(z.positive(), z.maximum(MAX_LINK_DAYS)), DEFAULT_LINK_DAYS),
};

const commaSeparatedEmails = () =>
  z.pipe(
    z.pipe(
      z._default(z.string(), ""),
      z.transform((list: string) =>
        list
          .split(",")
          .map((address) => address.trim())
          .filter(Boolean),
      ),
    ),
    z.array(z.email()),
  );

/**
 * Each function's shape, built when first read: a function's init builds the schemas of its own
 * environment, not those of the eight others (zod builds a schema with a chain of constructors, and
 * each of those costs its cold start).
 */
const FUNCTION_ENV_SHAPES = {
  ingest: () => ({
    ...tableEnvShape,
    ...secretsEnvShape,
    ...idKeyEnvShape,
    ...localEnvShape,
    /** The base URL senders post to, for signature schemes that sign the URL. */
    RIPEN_PUBLIC_URL: z.optional(z.url()),
    RIPEN_SIGNATURE_TOLERANCE_SECONDS: positiveSeconds(300),
    /** How far ahead of the receiving clock an event's occurredAt may be (clock skew); recorded as received. */
    RIPEN_FUTURE_TOLERANCE_SECONDS: positiveSeconds(DEFAULT_FUTURE_TOLERANCE_SECONDS),
    /** Comma-separated sources allowed to deliver unsigned (only Webflow supports it). */
    RIPEN_ALLOW_UNSIGNED: z._default(z.string(), ""),
    /** Refuse to re-create an erased person until one of their events gives consent again. */
    RIPEN_ERASE_BLOCKS_RECREATE: flag(),
  }),
  read: () => ({ ...tableEnvShape, ...idKeyEnvShape, ...linkKeyEnvShape, ...localEnvShape }),
  publish: () => ({}),
  "notify-slack": () => ({
    ...notifierEnvShape,
    ...secretsEnvShape,
    SLACK_API_URL: z._default(z.url(), "https://slack.com/api"),
    SLACK_CHANNEL: z.optional(nonEmpty()),
    SLACK_MARKETING_CHANNEL: z.optional(nonEmpty()),
    /** With a bot token: post to the owner's direct messages instead of SLACK_CHANNEL. */
    SLACK_DIRECT_TO_OWNER: flag(),
  }),
  "notify-email": () => ({
    ...notifierEnvShape,
    /** The verified SES sender (the CDK stack sets it from `ripen:fromAddress`). */
    RIPEN_FROM_EMAIL: z.optional(z.email()),
    /** Comma-separated recipients for leads without an owner email. */
    RIPEN_ALERT_EMAILS: commaSeparatedEmails(),
    SES_CONFIGURATION_SET: z.optional(nonEmpty()),
    /** The local SES emulator (aws-ses-v2-local); the SES client reads it too. */
    SES_ENDPOINT: z.optional(z.url()),
  }),
  actions: () => ({
    ...tableEnvShape,
    ...secretsEnvShape,
    ...linkKeyEnvShape,
    SLACK_SIGNATURE_TOLERANCE_SECONDS: positiveSeconds(300),
  }),
  erase: () => ({ ...tableEnvShape, ...idKeyEnvShape, ...localEnvShape }),
  maintenance: () => ({
    ...tableEnvShape,
    [WORK_QUEUE.urlVariable]: z.url(),
    /** A decayed score is rewritten only when it moved at least this much (fewer writes on big tables). */
    RIPEN_SWEEP_MIN_SCORE_CHANGE: z._default(z.coerce.number().check(z.nonnegative()), 0.01),
    /** The sweep's write budget across its workers (write request units per second). */
    RIPEN_SWEEP_MAX_WRU: z._default(z.coerce.number().check(z.positive()), DEFAULT_MAX_WRU),
  }),
  worker: () => ({ ...tableEnvShape, [WORK_QUEUE.urlVariable]: z.url() }),
} satisfies Record<FunctionName, () => z.core.$ZodShape>;

type FunctionEnv = { readonly [Name in FunctionName]: ReturnType<(typeof FUNCTION_ENV_SHAPES)[Name]> };

/** Each function's environment by name (`FUNCTION_ENV.ingest`), its shape built on first read and kept. */
export const FUNCTION_ENV: FunctionEnv = builtOnRead(FUNCTION_ENV_SHAPES);

function builtOnRead<Builders extends Record<string, () => object>>(
  builders: Builders,
): { readonly [Name in keyof Builders]: ReturnType<Builders[Name]> } {
  const shapes = {} as { [Name in keyof Builders]: ReturnType<Builders[Name]> };
  for (const [name, build] of Object.entries(builders)) {
    let shape: object | undefined;
    Object.defineProperty(shapes, name, { enumerable: true, get: () => (shape ??= build()) });
  }
  return shapes;
}

/**
 * The variables the stack sets on every function from its own resources and settings (ripen-function.ts):
 * a deployment setting may not set them too.
 */
export const STACK_ENV = [
  "TABLE_NAME",
  "RIPEN_SECRETS_ARN",
  "RIPEN_ID_KEY_ARN",
  "RIPEN_LINK_KEY_ARN",
  "RIPEN_PUBLIC_URL",
  "RIPEN_FROM_EMAIL",
  "SES_CONFIGURATION_SET",
] as const;

/** Every name some function declares. */
export const declaredNames = (): Set<string> =>
  new Set(Object.values(FUNCTION_ENV).flatMap((shape) => Object.keys(shape)));

/**
 * Parses the environment once with a schema. A missing or malformed variable fails at load with
 * its name, so a misconfigured function dies at init, not on the first request.
 */
export function readEnv<Shape extends z.core.$ZodShape>(
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): z.output<z.ZodMiniObject<Shape>> {
  // Parsed once: zod's compiled fast path for objects would cost more to generate than it saves.
  const result = z.object(shape).safeParse(source, { jitless: true });
  if (result.success) return result.data;
  throw new Error(`invalid environment: ${issueSummary(result.error.issues)}`);
}
