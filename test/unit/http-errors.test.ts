import { beforeAll, describe, expect, it, vi } from "vitest";
import { RipenError } from "#shared/domain/errors";
import {
  ERROR_CODES,
  type ErrorCode,
  errorResponse,
  isTemporary,
  statusOf,
  unhandledErrorFields,
} from "#shared/edge/http-errors";
import { logger } from "#shared/runtime/powertools";

class CodedError extends RipenError<ErrorCode> {
  readonly code: ErrorCode;
  constructor(code: ErrorCode) {
    super(`an error coded ${code}`);
    this.code = code;
  }
}

describe("the status table", () => {
  it("gives every error code an HTTP status", () => {
    const statuses = ERROR_CODES.map((code) => statusOf(new CodedError(code)));

    for (const status of statuses) {
      expect(Number.isInteger(status)).toBe(true);
      expect(status).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(600);
    }
  });

  it("answers a temporary condition with 503, so senders retry, and never with 410", () => {
    const statusByCode = Object.fromEntries(ERROR_CODES.map((code) => [code, statusOf(new CodedError(code))]));

    expect(statusByCode).toMatchObject({ source_not_configured: 503, not_configured: 503, contention: 503 });
    expect(Object.values(statusByCode)).not.toContain(410);
    expect(statusByCode.consent_required).toBe(202);
  });
});

/** An error as the AWS SDK raises it: a name, a fault side, and the retry hint it sets on some. */
function awsError(name: string, fields: { $fault?: "client" | "server"; $retryable?: object } = {}): Error {
  return Object.assign(new Error(`${name}: a message that may name a key`), { name, ...fields });
}

describe("a failure a retry can cure", () => {
  beforeAll(() => {
    // These failures are provoked: their log lines would only bury the test output.
    vi.spyOn(logger, "error").mockImplementation(() => undefined);
    vi.spyOn(logger, "warn").mockImplementation(() => undefined);
  });

  const temporary: [string, unknown][] = [
    ["DynamoDB throttling", awsError("ProvisionedThroughputExceededException", { $fault: "client" })],
    ["a throttled API", awsError("ThrottlingException", { $fault: "client" })],
    ["a service's own 500", awsError("InternalServerError", { $fault: "server" })],
    ["an error the SDK marks retryable", awsError("SomethingTransient", { $fault: "client", $retryable: {} })],
    ["a timeout", awsError("TimeoutError")],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8000"), { code: "ECONNREFUSED" })],
    [
      "a reset connection, wrapped",
      new Error("fetch failed", { cause: Object.assign(new Error("socket"), { code: "ECONNRESET" }) }),
    ],
  ];
  const permanent: [string, unknown][] = [
    ["a failed condition", awsError("ConditionalCheckFailedException", { $fault: "client" })],
    ["a validation error", awsError("ValidationException", { $fault: "client" })],
    ["a plain bug", new TypeError("cannot read properties of undefined")],
    ["something thrown that is no error", "a string"],
  ];

  it.each(temporary)("answers %s with 503 unavailable and retry-after, and no message from the error", (_, error) => {
    expect(isTemporary(error)).toBe(true);

    const response = errorResponse(error);

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ "retry-after": "5" });
    expect(JSON.parse(response.body as string)).toEqual({
      error: { code: "unavailable", message: "temporarily unavailable, retry later" },
    });
  });

  it.each(permanent)("answers %s with 500 internal", (_, error) => {
    expect(isTemporary(error)).toBe(false);

    const response = errorResponse(error);

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body as string)).toEqual({ error: { code: "internal", message: "internal error" } });
  });
});

describe("an unhandled error's log line", () => {
  const secretBits = ["alice@example.com", "tok_7f3a9c", "Bearer s3cr3t"];

  it("keeps the error's name and code locations, never its message", () => {
    const error = new SyntaxError(`Unexpected token in "${secretBits[0]}" with ${secretBits[1]}`);

    const fields = unhandledErrorFields(error);

    const line = JSON.stringify(fields);
    for (const bit of secretBits.slice(0, 2)) expect(line).not.toContain(bit);
    expect(fields).toMatchObject({ error: { name: "SyntaxError" } });
    const frames = (fields.error as { frames: string[] }).frames;
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.some((frame) => frame.includes("http-errors.test.ts"))).toBe(true);
  });

  it("drops a message line made to look like a frame, and a name that is not a class name", () => {
    const error = new Error(`bad body\n    at ${secretBits[0]} (/var/task/${secretBits[1]}.js:1:1)`);
    error.name = `Error ${secretBits[2]}`;

    const line = JSON.stringify(unhandledErrorFields(error));

    for (const bit of secretBits) expect(line).not.toContain(bit);
    expect(line).toContain('"name":"Error"');
  });

  it("follows the causes the same way", () => {
    const cause = new TypeError(`cannot read ${secretBits[0]}`);
    const error = new Error("wrapped", { cause: new Error(`middle ${secretBits[1]}`, { cause }) });

    const fields = unhandledErrorFields(error);

    expect(fields.causes).toMatchObject([{ name: "Error" }, { name: "TypeError" }]);
    const line = JSON.stringify(fields);
    for (const bit of secretBits) expect(line).not.toContain(bit);
  });

  it("is what errorResponse logs for an error it can't place", () => {
    const logged: unknown[] = [];
    const spy = vi.spyOn(logger, "error").mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
    try {
      const response = errorResponse(new RangeError(`link ${secretBits[1]} out of range`));

      expect(response.statusCode).toBe(500);
      expect(JSON.stringify(logged)).not.toContain(secretBits[1]);
      expect(logged).toMatchObject([["unhandled error", { error: { name: "RangeError" } }]]);
    } finally {
      spy.mockRestore();
    }
  });
});
