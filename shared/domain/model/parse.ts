import type * as z from "zod";
import { InvalidModelError, type ModelProblem } from "./problems";
import { formatPath, ScoringModel } from "./schema";

export interface ModelOrigin {
  /** A file path or a name for the model, e.g. "ripen.model.yaml". */
  name: string;
  /** Line and column of a path in the source text, when the loader can tell. */
  locate?: (path: readonly PropertyKey[]) => { line: number; column: number } | undefined;
}

/** Validates a parsed model document; throws InvalidModelError listing every problem. */
export function parseModel(input: unknown, origin: ModelOrigin = { name: "scoring model" }): ScoringModel {
  const result = ScoringModel.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidModelError(origin.name, problemsOf(result.error, input, origin));
}

// Not edge/schema-issues.ts: a model's author reads these by line, with bracketed paths and the rule's id.
function problemsOf(error: z.ZodError, input: unknown, origin: ModelOrigin): ModelProblem[] {
  return error.issues.map((issue) => {
    const at = origin.locate?.(issue.path) ?? locateNearest(issue.path, origin);
    const id = enclosingId(input, issue.path);
    return {
      path: formatPath(issue.path) + (id ? ` (id "${id}")` : ""),
      message: messageOf(issue),
      ...(at && { line: at.line, column: at.column }),
    };
  });
}

/** A missing key has no line of its own: point at its parent. */
function locateNearest(path: readonly PropertyKey[], origin: ModelOrigin) {
  for (let length = path.length - 1; length >= 0 && origin.locate; length--) {
    const at = origin.locate(path.slice(0, length));
    if (at) return at;
  }
  return undefined;
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}`;
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined"))
    return `missing (expected ${issue.expected})`;
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const alternatives = issue.errors.map((errors) => errors.map((inner) => inner.message).join("; "));
    return `none of the accepted forms fits: ${alternatives.join(" | ")}`;
  }
  return issue.message;
}

/** The id of the innermost rule or owner (an array element with an `id`) the path runs through. */
function enclosingId(input: unknown, path: readonly PropertyKey[]): string | undefined {
  let node: unknown = input;
  let id: string | undefined;
  for (const segment of path) {
    if (node === null || typeof node !== "object") break;
    node = (node as Record<PropertyKey, unknown>)[segment];
    if (typeof segment === "number" && node !== null && typeof node === "object") {
      const candidate = (node as Record<string, unknown>).id;
      if (typeof candidate === "string") id = candidate;
    }
  }
  return id;
}
