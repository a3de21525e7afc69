import { expect, it } from "vitest";
import type { VerifyContext, WebhookRequest, WebhookSource } from "#shared/application/ports/webhook-source";
import { InvalidPayloadError, InvalidSignatureError, StaleTimestampError } from "#shared/domain/errors";
import {
  context,
  expectNotUtf8Refused,
  NOW,
  notUtf8Body,
  TOLERANCE_SECONDS,
  withHeader,
  withOneByteChanged,
} from "./support";

/** How one vendor signs, as its documentation says. */
export interface SignatureSpec {
  source: WebhookSource;
  secret: string;
  /** A valid compact body and the same document pretty-printed. */
  body: string;
  prettyBody: string;
  /** The request the vendor sends for these bytes, signed with `secret` at `at` (when it sends a time). */
  signed(body: string | Buffer, options?: { secret?: string; at?: Date }): WebhookRequest;
  context?: Partial<VerifyContext>;
  signatureHeader: string;
  /** Finds the digest inside the signature header: group 1 is what precedes it, group 2 the digest. */
  digest: RegExp;
  encoding: "hex" | "base64";
  /** The header value with the vendor's prefix wrong (or one added where the vendor sends none). */
  wrongPrefix(value: string): string;
  /** Headers whose absence must be refused. */
  requiredHeaders: readonly string[];
  /** For vendors that sign a time: the request with its time changed after signing. */
  retimed?(request: WebhookRequest): WebhookRequest;
}

/** The signature checks every source must pass (the test list). */
export function signatureContract(spec: SignatureSpec): void {
  const verifyContext = context(spec.secret, spec.context);
  const verify = (request: WebhookRequest) => spec.source.verify(request, verifyContext);
  const valid = () => spec.signed(spec.body);
  const header = (request: WebhookRequest) => request.headers[spec.signatureHeader] ?? "";

  it("accepts a delivery signed as the vendor documents it", () => {
    expect(() => verify(valid())).not.toThrow();
  });

  it("accepts a pretty-printed body signed over its exact bytes", () => {
    expect(spec.prettyBody).toContain("\n");
    expect(() => verify(spec.signed(spec.prettyBody))).not.toThrow();
  });

  it.each(spec.requiredHeaders)("refuses with invalid_signature when %s is missing", (name) => {
    expect(() => verify(withHeader(valid(), name, undefined))).toThrow(InvalidSignatureError);
  });

  it("refuses a delivery signed with another secret", () => {
    expect(() => verify(spec.signed(spec.body, { secret: `${spec.secret}-other` }))).toThrow(InvalidSignatureError);
  });

  it("refuses a body with one byte changed", () => {
    expect(() => verify(withOneByteChanged(valid()))).toThrow(InvalidSignatureError);
  });

  it(`refuses the right digest in ${spec.encoding === "hex" ? "base64" : "hex"} instead of ${spec.encoding}`, () => {
    const request = valid();
    const swapped = header(request).replace(spec.digest, (_match, before: string, digest: string) => {
      const bytes = Buffer.from(digest, spec.encoding);
      return `${before}${bytes.toString(spec.encoding === "hex" ? "base64" : "hex")}`;
    });
    expect(swapped).not.toBe(header(request));
    expect(() => verify(withHeader(request, spec.signatureHeader, swapped))).toThrow(InvalidSignatureError);
  });

  it("refuses the right digest behind the wrong prefix", () => {
    const request = valid();
    const value = spec.wrongPrefix(header(request));
    expect(() => verify(withHeader(request, spec.signatureHeader, value))).toThrow(InvalidSignatureError);
  });

  it("refuses a signature that is not text in the expected encoding", () => {
    expect(() => verify(withHeader(valid(), spec.signatureHeader, "not a signature"))).toThrow(InvalidSignatureError);
  });

  // The valid body with 0xFF inside its first key: signed over these bytes, so only decoding can refuse it.
  const { bytes: notUtf8Bytes, details: invalidUtf8 } = notUtf8Body(spec.body);
  const notUtf8 = () => spec.signed(notUtf8Bytes);

  it("verifies a body that is not UTF-8 over its bytes, then refuses it with invalid_utf8 naming the byte", () => {
    const request = notUtf8();
    expect(() => verify(request)).not.toThrow();
    expect(() => spec.source.toEvents(request, verifyContext)).toThrow(InvalidPayloadError);
    expect(() => spec.source.toEvents(request, verifyContext)).toThrow(
      expect.objectContaining({ message: "body is not valid UTF-8", details: invalidUtf8 }),
    );
  });

  it(`answers a body that is not UTF-8 as it answers any refused payload (${spec.source.refusal}), storing nothing`, async () => {
    await expectNotUtf8Refused({ ...spec, publicUrl: spec.context?.publicUrl }, notUtf8(), invalidUtf8);
  });

  const { retimed } = spec;
  if (!retimed) return;
  const secondsFromNow = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

  it("refuses a correctly signed delivery older than the window with stale_timestamp", () => {
    const request = spec.signed(spec.body, { at: secondsFromNow(-TOLERANCE_SECONDS - 1) });
    expect(() => verify(request)).toThrow(StaleTimestampError);
  });

  it("refuses a correctly signed delivery dated too far in the future with stale_timestamp", () => {
    const request = spec.signed(spec.body, { at: secondsFromNow(TOLERANCE_SECONDS + 1) });
    expect(() => verify(request)).toThrow(StaleTimestampError);
  });

  it("accepts a delivery at the edge of the window", () => {
    expect(() => verify(spec.signed(spec.body, { at: secondsFromNow(-TOLERANCE_SECONDS) }))).not.toThrow();
  });

  it("refuses a timestamp changed after signing with invalid_signature", () => {
    expect(() => verify(retimed(valid()))).toThrow(InvalidSignatureError);
  });

  it("checks the signature before the clock, so a forgery learns nothing about the window", () => {
    const stale = spec.signed(spec.body, { secret: "forger", at: secondsFromNow(-10 * TOLERANCE_SECONDS) });
    expect(() => verify(stale)).toThrow(InvalidSignatureError);
  });
}
