import { describe, expect, it } from "vitest";
import { RipenError } from "#shared/domain/errors";
import { ERROR_CODES, type ErrorCode, statusOf } from "#shared/edge/http-errors";

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
