import type * as z from "zod/mini";
import { InvalidQueryError } from "#shared/domain/errors";
import { issueDetails } from "./schema-issues";

/** Parses query string (or path) parameters with a schema; InvalidQueryError with the zod issues otherwise. */
export function parseQuery<Schema extends z.ZodMiniType>(
  schema: Schema,
  parameters: Record<string, string | undefined> | undefined,
): z.output<Schema> {
  const parsed = schema.safeParse(parameters ?? {});
  if (parsed.success) return parsed.data;
  throw new InvalidQueryError("the query parameters are not valid", { issues: issueDetails(parsed.error.issues) });
}
