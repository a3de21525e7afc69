import * as z from "zod";
import { issueSummary } from "../domain/schema-issues";

/**
 * Parses the environment once with a schema. A missing or malformed variable fails at load with
 * its name, so a misconfigured function dies at init, not on the first request.
 */
export function readEnv<Shape extends z.ZodRawShape>(
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): z.output<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(source);
  if (result.success) return result.data;
  throw new Error(`invalid environment: ${issueSummary(result.error.issues)}`);
}

/** How long a notifier's claim on an alert holds before another delivery may take it over (a crash). */
export const alertLeaseEnvShape = {
  RIPEN_ALERT_LEASE_SECONDS: z.coerce.number().int().positive().default(60),
};

/** Where the table is: every function that touches DynamoDB reads this. */
export const tableEnvShape = {
  TABLE_NAME: z.string().min(1),
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).default("us-east-1"),
};
