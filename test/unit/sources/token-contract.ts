import { expect, it } from "vitest";
import type { WebhookRequest, WebhookSource } from "#shared/application/ports/webhook-source";
import { InvalidPayloadError, InvalidSignatureError } from "#shared/domain/errors";
import { context, expectNotUtf8Refused, notUtf8Body, webhookRequest, withOneByteChanged } from "./support";

/** A sender that signs nothing and is given a secret token in the URL it calls. */
export interface TokenSpec {
  source: WebhookSource;
  secret: string;
  /** A valid compact body and the same document pretty-printed. */
  body: string;
  prettyBody: string;
  /** The query string of the URL the sender is given, for a token. */
  query(token: string): string;
}

/**
 * The checks every URL-token sender passes: the signature contract's list, as far as a token can answer
 * it (there is no timestamp, so no replay window; a token covers no byte of the body).
 */
export function tokenContract(spec: TokenSpec): void {
  const verifyContext = context(spec.secret);
  const verify = (request: WebhookRequest) => spec.source.verify(request, verifyContext);
  const delivery = (body: string | Buffer, query = spec.query(spec.secret)) =>
    webhookRequest(spec.source.name, body, {}, { rawQueryString: query });
  const refusal = (request: WebhookRequest): InvalidSignatureError => {
    try {
      verify(request);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidSignatureError);
      return error as InvalidSignatureError;
    }
    throw new Error("the delivery was accepted");
  };

  it("accepts a delivery to the URL with the secret token", () => {
    expect(() => verify(delivery(spec.body))).not.toThrow();
  });

  it("accepts a pretty-printed body", () => {
    expect(spec.prettyBody).toContain("\n");
    expect(() => verify(delivery(spec.prettyBody))).not.toThrow();
  });

  it("refuses with invalid_signature when the token is missing", () => {
    const query = new URLSearchParams(spec.query(spec.secret));
    query.delete("token");
    expect(refusal(delivery(spec.body, query.toString())).message).toMatch(/missing token/);
  });

  it("refuses another secret's token", () => {
    refusal(delivery(spec.body, spec.query(`${spec.secret}-other`)));
  });

  it("refuses the token with one character changed, cut short or extended", () => {
    const last = spec.secret.at(-1) === "a" ? "b" : "a";
    for (const token of [`${spec.secret.slice(0, -1)}${last}`, spec.secret.slice(0, -1), `${spec.secret}a`, ""]) {
      refusal(delivery(spec.body, spec.query(token)));
    }
  });

  it("refuses a URL that gives the token twice, even when one of them is right", () => {
    refusal(delivery(spec.body, `${spec.query(spec.secret)}&token=wrong`));
  });

  it("refuses a token over 512 characters without comparing it", () => {
    refusal(delivery(spec.body, spec.query("x".repeat(513))));
  });

  it("never quotes the token in a refusal", () => {
    const presented = `${spec.secret}-presented`;
    const { message, details } = refusal(delivery(spec.body, spec.query(presented)));
    expect(`${message} ${JSON.stringify(details ?? null)}`).not.toContain(presented);
  });

  it("cannot notice a body changed on the way: the token proves the caller knows the URL, nothing more", () => {
    expect(() => verify(withOneByteChanged(delivery(spec.body)))).not.toThrow();
  });

  // The valid body with 0xFF inside its first key: only decoding can refuse it.
  const notUtf8 = notUtf8Body(spec.body);

  it(`answers a body that is not UTF-8 as it answers any refused payload (${spec.source.refusal}), storing nothing`, async () => {
    expect(() => spec.source.toEvents(delivery(notUtf8.bytes), verifyContext)).toThrow(InvalidPayloadError);
    await expectNotUtf8Refused(spec, delivery(notUtf8.bytes), notUtf8.details);
  });
}
