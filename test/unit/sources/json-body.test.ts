import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, MAX_JSON_KEYS, parseJsonBody } from "#shared/adapters/sources/json-body";
import { InvalidPayloadError } from "#shared/domain/errors";

const parse = (text: string) => parseJsonBody(Buffer.from(text));

interface Refusal {
  message: string;
  details: { issues?: { path: string; code: string; message: string }[]; parseError?: string };
}

/** The refusal a body gets: its message and details (fails the test when the body parses). */
const refusal = (text: string): Refusal => refusalOf(Buffer.from(text));

function refusalOf(body: Buffer): Refusal {
  try {
    parseJsonBody(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPayloadError);
    const { message, details } = error as InvalidPayloadError;
    return { message, details: details as Refusal["details"] };
  }
  return expect.unreachable("the body parsed");
}

/** A JSON value Node's JSON.parse and the strict parser must read alike. */
function readAlike(value: unknown): boolean {
  if (typeof value === "number") return !(/^-?\d+$/.test(JSON.stringify(value)) && !Number.isSafeInteger(value));
  if (Array.isArray(value)) return value.every(readAlike);
  if (typeof value === "object" && value !== null) {
    return !Object.hasOwn(value, "__proto__") && Object.values(value).every(readAlike);
  }
  return true;
}

describe("parseJsonBody", () => {
  it("agrees with JSON.parse on every JSON value without unsafe integers, compact or pretty-printed", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), (value) => {
        fc.pre(readAlike(value));
        const compact = JSON.stringify(value);
        expect(parse(compact)).toStrictEqual(JSON.parse(compact));
        const pretty = JSON.stringify(value, null, 2);
        expect(parse(pretty)).toStrictEqual(JSON.parse(pretty));
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with JSON.parse on texts that use every escape and lone surrogates", () => {
    fc.assert(
      fc.property(fc.json({ stringUnit: "binary", maxDepth: 6 }), (text) => {
        fc.pre(readAlike(JSON.parse(text)));
        expect(parse(text)).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
    const escapes = String.raw`["\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800"]`;
    expect(parse(escapes)).toStrictEqual(JSON.parse(escapes));
  });

  it("refuses what JSON.parse refuses", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        fc.pre(!valid);
        expect(() => parse(text)).toThrow(InvalidPayloadError);
      }),
      { numRuns: 2000 },
    );
    for (const text of [
      "",
      " ",
      "{",
      '{"a":1,}',
      "[1,]",
      "01",
      "1.",
      ".5",
      "-",
      "1e",
      "+1",
      '"\t"',
      "'a'",
      "\ufeff{}",
    ]) {
      expect(() => parse(text), text).toThrow(InvalidPayloadError);
    }
  });

  it("says where malformed JSON goes wrong, under details.parseError", () => {
    expect(refusal('{"type":"form.submitted",')).toMatchObject({
      message: "body is not valid JSON",
      details: { parseError: expect.stringMatching(/position 25/) },
    });
  });

  it("refuses a byte order mark, saying so", () => {
    expect(refusal("\ufeff{}")).toMatchObject({
      message: "body is not valid JSON",
      details: { parseError: expect.stringMatching(/byte order mark .*position 0/) },
    });
  });

  it("reads UTF-8 text exactly, every script and emoji included", () => {
    const text = '{"name":"Zoë Ørsted","city":"東京","note":"🍎 ripe","replacement":"\ufffd"}';
    expect(parseJsonBody(Buffer.from(text, "utf8"))).toStrictEqual(JSON.parse(text));
  });

  it.each([
    ["a byte that is never UTF-8 (0xFF)", [0xff], 0xff],
    ["another (0xFE)", [0xfe], 0xfe],
    ["a continuation byte on its own", [0x80], 0x80],
    ["a two-byte sequence cut short", [0xc3, 0x22], 0xc3],
    ["an overlong encoding of /", [0xc0, 0xaf], 0xc0],
    ["an encoded surrogate", [0xed, 0xa0, 0x80], 0xed],
    ["a code point beyond U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0xf4],
    ["latin-1 text sent as is", [...Buffer.from("Zo\xeb", "latin1")], 0xeb],
  ])("refuses %s with invalid_utf8, naming the offset of the first bad byte", (_case, bad, first) => {
    // A valid multi-byte character and a literal U+FFFD before the bad bytes: offsets count bytes, not characters.
    const before = Buffer.from('{"name":"é\ufffd', "utf8");
    const body = Buffer.concat([before, Buffer.from(bad), Buffer.from('x"}')]);
    const offset = before.length + bad.indexOf(first);
    expect(refusalOf(body)).toMatchObject({
      message: "body is not valid UTF-8",
      details: {
        issues: [
          {
            path: "",
            code: "invalid_utf8",
            message: `byte 0x${first.toString(16)} at offset ${offset} is not valid UTF-8`,
          },
        ],
      },
    });
  });

  it("refuses a body that ends inside a multi-byte character, naming where it starts", () => {
    const body = Buffer.concat([Buffer.from('"ab', "utf8"), Buffer.from([0xe6, 0x9d])]);
    expect(refusalOf(body).details.issues).toMatchObject([
      { code: "invalid_utf8", message: expect.stringMatching(/offset 3 /) },
    ]);
  });

  it("does not merge two bodies whose ids differ only in 0xFF and 0xFE: both are refused", () => {
    const withId = (last: number) =>
      Buffer.concat([Buffer.from('{"eventId":"evt-1'), Buffer.from([last]), Buffer.from('"}')]);
    for (const body of [withId(0xff), withId(0xfe)]) {
      expect(refusalOf(body).details.issues).toMatchObject([{ code: "invalid_utf8" }]);
    }
  });

  it("keeps integers beyond 2^53 as their exact digits, and safe ones as numbers", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 2n ** 53n, max: 2n ** 200n }),
        fc.boolean(),
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        (big, negative, safe) => {
          const digits = `${negative ? "-" : ""}${big}`;
          expect(parse(`{"id":${digits},"n":${safe},"list":[${digits}]}`)).toStrictEqual({
            id: digits,
            n: safe,
            list: [digits],
          });
        },
      ),
    );
    expect(parse('[1.5e3,1E400,-0,"9007199254740993"]')).toStrictEqual([
      1500,
      Number.POSITIVE_INFINITY,
      -0,
      "9007199254740993",
    ]);
  });

  it.each([
    ['{"eventId":"a","eventId":"b"}', "eventId"],
    ['{"answers":{"email":"a@example.com","email":"b@example.com"}}', "answers.email"],
    ['{"list":[{"x":1},{"x":1,"x":2}]}', "list.1.x"],
    ['{"a":{"b":{"":1,"":2}}}', "a.b."],
  ])("refuses a duplicate key, naming its path: %s", (text, path) => {
    expect(refusal(text)).toMatchObject({
      message: "body has a duplicate key",
      details: { issues: [{ path, code: "duplicate_key" }] },
    });
  });

  it("does not take an escaped spelling of a key for a different key", () => {
    expect(refusal('{"email":1,"\\u0065mail":2}').details.issues).toMatchObject([{ path: "email" }]);
  });

  it.each([
    ['{"__proto__":{"polluted":true}}', "__proto__"],
    ['{"attributes":{"__proto__":"x"}}', "attributes.__proto__"],
    ['{"a":[{"\\u005f_proto__":1}]}', "a.0.__proto__"],
  ])("refuses __proto__ as a key anywhere, naming its path: %s", (text, path) => {
    expect(refusal(text)).toMatchObject({ details: { issues: [{ path, code: "forbidden_key" }] } });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("keeps the other names every object inherits as ordinary own keys", () => {
    const parsed = parse('{"constructor":"c","toString":1,"hasOwnProperty":true,"valueOf":null}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(["constructor", "toString", "hasOwnProperty", "valueOf"]);
    expect(parsed.constructor).toBe("c");
    expect(parsed.toString).toBe(1);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more, naming where`, () => {
    const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}[]${"}".repeat(levels - 1)}`;
    expect(() => parse(nested(MAX_JSON_DEPTH))).not.toThrow();
    const { details } = refusal(nested(MAX_JSON_DEPTH + 1));
    expect(details.issues).toMatchObject([{ path: Array(MAX_JSON_DEPTH).fill("a").join("."), code: "too_deep" }]);
    expect(() => parse("[".repeat(100_000))).toThrow(InvalidPayloadError);
  });

  it(`accepts ${MAX_JSON_KEYS} keys in a body and refuses one more`, () => {
    const body = (keys: number) => `[${Array.from({ length: keys }, (_, index) => `{"k${index}":0}`).join(",")}]`;
    expect(() => parse(body(MAX_JSON_KEYS))).not.toThrow();
    expect(refusal(body(MAX_JSON_KEYS + 1)).details.issues).toMatchObject([
      { path: `${MAX_JSON_KEYS}.k${MAX_JSON_KEYS}`, code: "too_many_keys" },
    ]);
  });
});
