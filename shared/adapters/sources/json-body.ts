import type { z } from "zod";
import { InvalidPayloadError } from "../../domain/errors";

/**
 * Parses a JSON body. Integers too large for a double are kept as their exact digits (strings), so
 * vendor ids above 2^53 survive; nothing else about the value changes.
 */
export function parseJsonBody(rawBody: Buffer): unknown {
  const text = rawBody.toString("utf8");
  try {
    return JSON.parse(quoteUnsafeIntegers(text));
  } catch (error) {
    throw new InvalidPayloadError("body is not valid JSON", { parseError: (error as Error).message });
  }
}

/**
 * Wraps integer literals beyond Number.MAX_SAFE_INTEGER in quotes, outside strings only.
 * (Node 20's JSON.parse cannot hand a reviver the source text.)
 */
export function quoteUnsafeIntegers(text: string): string {
  let out = "";
  let copiedUpTo = 0;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      index++;
      while (index < text.length && text[index] !== '"') index += text[index] === "\\" ? 2 : 1;
      index++;
      continue;
    }
    if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(index, index + 400));
      const literal = match?.[0] ?? char;
      if (match && match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(copiedUpTo, index)}"${literal}"`;
        copiedUpTo = index + literal.length;
      }
      index += literal.length;
      continue;
    }
    index++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** Validates a vendor payload with its schema; a mismatch is a 400 with the zod issues as details. */
export function parsePayload<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidPayloadError(`${what} does not match its schema`, {
      issues: result.error.issues.map((issue) => ({
        path: issue.path.join("."),
        message: issue.message,
        code: issue.code,
      })),
    });
  }
  return result.data;
}
