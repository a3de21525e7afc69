import type * as z from "zod/mini";
import { InvalidPayloadError } from "#shared/domain/errors";
import { issueDetail, issueDetails } from "#shared/edge/schema-issues";

/** Objects and arrays nest at most this deep in a body (vendor payloads use fewer than ten levels). */
export const MAX_JSON_DEPTH = 32;
/** Keys in all of a body's objects together (a HubSpot contact with every property has a few thousand). */
export const MAX_JSON_KEYS = 10_000;

/**
 * Parses a JSON body strictly, the one parser for every source. Like JSON.parse, except that:
 * - integers beyond 2^53 are kept as their exact digits (strings), so vendor ids survive;
 * - a key repeated in one object is refused (JSON.parse keeps the last one, which hides a forged field);
 * - `__proto__` is refused as a key anywhere (it could never be stored, and a careless copy sets a
 *   prototype); every other key, `constructor` included, is an ordinary own key;
 * - nesting beyond MAX_JSON_DEPTH and more than MAX_JSON_KEYS keys are refused;
 * - the bytes must be UTF-8: a byte sequence that is not is refused (`invalid_utf8`, naming its offset),
 *   never replaced by U+FFFD, which would make two ids that differ in those bytes one id;
 * - a byte order mark is refused, as JSON.parse refuses it (RFC 8259: senders must not add one).
 * Refusals are InvalidPayloadError: `details.parseError` for malformed text, `details.issues` (with the
 * dotted path of the key) for the rest.
 */
export function parseJsonBody(rawBody: Buffer): unknown {
  return new StrictJson(decodeUtf8(rawBody)).document();
}

// ignoreBOM keeps a leading U+FEFF in the text, so the parser refuses it instead of the decoder hiding it.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8Byte(bytes);
    const byte = (bytes[offset] ?? 0).toString(16).padStart(2, "0");
    throw new InvalidPayloadError("body is not valid UTF-8", {
      issues: [issueDetail([], "invalid_utf8", `byte 0x${byte} at offset ${offset} is not valid UTF-8`)],
    });
  }
}

/**
 * Where the first byte that is not UTF-8 is. A lenient decoding is exact up to its first replacement
 * character, so that character's byte offset is the answer, unless the body itself carried a U+FFFD there.
 */
function firstInvalidUtf8Byte(bytes: Buffer): number {
  const lenient = bytes.toString("utf8");
  let offset = 0;
  let from = 0;
  for (;;) {
    const at = lenient.indexOf("\ufffd", from);
    if (at === -1) return bytes.length;
    offset += Buffer.byteLength(lenient.slice(from, at));
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) return offset;
    offset += 3;
    from = at + 1;
  }
}

/** Validates a vendor payload with its schema; a mismatch is a 400 with the zod issues as details. */
export function parsePayload<Schema extends z.ZodMiniType>(
  schema: Schema,
  value: unknown,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidPayloadError(`${what} does not match its schema`, { issues: issueDetails(result.error.issues) });
  }
  return result.data;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ESCAPED: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const REFUSALS = {
  duplicate_key: "body has a duplicate key",
  forbidden_key: "body has a key that cannot be stored",
  too_deep: "body nests too deep",
  too_many_keys: "body has too many keys",
} as const;

class StrictJson {
  private at = 0;
  private keys = 0;
  /** The keys and indexes leading to the value being read, for refusals that name a field. */
  private readonly path: (string | number)[] = [];

  constructor(private readonly text: string) {}

  document(): unknown {
    if (this.text.charCodeAt(0) === 0xfeff) this.syntaxError("byte order mark (U+FEFF) not allowed", 0);
    this.skipWhitespace();
    const value = this.value();
    this.skipWhitespace();
    if (this.at < this.text.length) this.syntaxError("unexpected text after the JSON value");
    return value;
  }

  private value(): unknown {
    switch (this.text[this.at]) {
      case "{":
        return this.object();
      case "[":
        return this.array();
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default:
        return this.number();
    }
  }

  private object(): Record<string, unknown> {
    this.enter();
    const object: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.text[this.at] === "}") {
      this.at++;
      return object;
    }
    for (;;) {
      if (this.text.charCodeAt(this.at) !== QUOTE) this.syntaxError("expected a key");
      const key = this.string();
      if (++this.keys > MAX_JSON_KEYS) this.refuse(key, "too_many_keys", `more than ${MAX_JSON_KEYS} keys in the body`);
      if (key === "__proto__") this.refuse(key, "forbidden_key", '"__proto__" cannot be a key');
      if (Object.hasOwn(object, key)) this.refuse(key, "duplicate_key", `"${key.slice(0, 128)}" appears twice`);
      this.skipWhitespace();
      if (this.text[this.at] !== ":") this.syntaxError('expected ":"');
      this.at++;
      this.skipWhitespace();
      this.path.push(key);
      object[key] = this.value();
      this.path.pop();
      if (this.endOfMember("}")) return object;
    }
  }

  private array(): unknown[] {
    this.enter();
    const array: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.at] === "]") {
      this.at++;
      return array;
    }
    for (;;) {
      this.path.push(array.length);
      array.push(this.value());
      this.path.pop();
      if (this.endOfMember("]")) return array;
    }
  }

  /** Steps into an object or array, refusing one nested deeper than the limit. */
  private enter(): void {
    if (this.path.length >= MAX_JSON_DEPTH) {
      this.refuse(undefined, "too_deep", `objects and arrays nest more than ${MAX_JSON_DEPTH} levels deep`);
    }
    this.at++;
  }

  /** After a member: true at the closing bracket, false after a comma (and the whitespace that follows). */
  private endOfMember(close: "}" | "]"): boolean {
    this.skipWhitespace();
    const char = this.text[this.at];
    this.at++;
    if (char === close) return true;
    if (char !== ",") this.syntaxError(`expected "," or "${close}"`, this.at - 1);
    this.skipWhitespace();
    return false;
  }

  private string(): string {
    const { text } = this;
    let index = this.at + 1;
    let copiedFrom = index;
    let out = "";
    for (;;) {
      const code = text.charCodeAt(index);
      if (code === QUOTE) break;
      if (Number.isNaN(code)) this.syntaxError("unterminated string", index);
      if (code < 0x20) this.syntaxError("control character in a string", index);
      if (code === BACKSLASH) {
        out += text.slice(copiedFrom, index);
        const escaped = text[index + 1] ?? "";
        if (escaped === "u") {
          const hex = text.slice(index + 2, index + 6);
          if (!HEX4.test(hex)) this.syntaxError("invalid \\u escape", index);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          index += 6;
        } else {
          const char = ESCAPED[escaped];
          if (char === undefined) this.syntaxError("invalid escape", index);
          out += char;
          index += 2;
        }
        copiedFrom = index;
        continue;
      }
      index++;
    }
    this.at = index + 1;
    return out + text.slice(copiedFrom, index);
  }

  private number(): number | string {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) this.syntaxError("unexpected character");
    const literal = match[0];
    this.at += literal.length;
    const value = Number(literal);
    // An integer literal a double cannot hold exactly stays as its digits (vendor ids above 2^53).
    const integer = match[1] === undefined && match[2] === undefined;
    return integer && !Number.isSafeInteger(value) ? literal : value;
  }

  private literal<Value>(word: string, value: Value): Value {
    if (!this.text.startsWith(word, this.at)) this.syntaxError("unexpected character");
    this.at += word.length;
    return value;
  }

  private skipWhitespace(): void {
    const { text } = this;
    for (;;) {
      const code = text.charCodeAt(this.at);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return;
      this.at++;
    }
  }

  private syntaxError(problem: string, at = this.at): never {
    const where = at >= this.text.length ? "at the end" : `at position ${at}`;
    throw new InvalidPayloadError("body is not valid JSON", {
      parseError: `${problem} ${where}${at >= this.text.length ? ` (position ${at})` : ""}`,
    });
  }

  /** Refuses a well-formed body for its shape, naming the key (or the container) by its dotted path. */
  private refuse(key: string | undefined, code: keyof typeof REFUSALS, message: string): never {
    const path = key === undefined ? this.path : [...this.path, key];
    throw new InvalidPayloadError(REFUSALS[code], { issues: [issueDetail(path, code, message)] });
  }
}
