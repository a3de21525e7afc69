import { beforeAll, describe, expect, it, vi } from "vitest";
import { RipenError } from "#shared/domain/errors";
import { ERROR_CODES, type ErrorCode, errorResponse, isTemporary, statusOf } from "#shared/edge/http-errors";
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
