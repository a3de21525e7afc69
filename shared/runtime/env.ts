import * as z from "zod/mini";
import { issueSummary } from "../domain/schema-issues";

/**
 * Parses the environment once with a schema. A missing or malformed variable fails at load with
 * its name, so a misconfigured function dies at init, not on the first request.
 */
export function readEnv<Shape extends z.core.$ZodShape>(
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): z.output<z.ZodMiniObject<Shape>> {
  const result = z.object(shape).safeParse(source);
  if (result.success) return result.data;
  throw new Error(`invalid environment: ${issueSummary(result.error.issues)}`);
}

/** A whole number of seconds above zero, `fallback` when unset. */
export const positiveSeconds = (fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

/** How long a notifier's claim on an alert holds before another delivery may take it over (a crash). */
export const alertLeaseEnvShape = {
  RIPEN_ALERT_LEASE_SECONDS: positiveSeconds(60),
};

/** Where the table is: every function that touches DynamoDB reads this. */
export const tableEnvShape = {
  TABLE_NAME: z.string().check(z.minLength(1)),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), "us-east-1"),
};
