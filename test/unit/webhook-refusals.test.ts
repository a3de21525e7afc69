import { describe, expect, it } from "vitest";
import { InvalidSignatureError, SourceNotConfiguredError, UnknownSourceError } from "#shared/domain/errors";
import { webhookRefusal } from "#shared/edge/webhook-refusals";

describe("webhookRefusal", () => {
  it("names a known sender and the refusal's code", () => {
    expect(webhookRefusal("typeform", new InvalidSignatureError("bad"))).toEqual({
      source: "typeform",
      code: "invalid_signature",
    });
    expect(webhookRefusal("hubspot", new SourceNotConfiguredError("no secret"))).toEqual({
      source: "hubspot",
      code: "source_not_configured",
    });
  });

  it("counts nothing for a name no sender has, so the source dimension stays the known senders", () => {
    expect(webhookRefusal("typeforms", new UnknownSourceError("no such source"))).toBeUndefined();
  });

  it("counts nothing for an unexpected failure, whose code would not be a closed set", () => {
    expect(webhookRefusal("tally", new Error("socket hang up"))).toBeUndefined();
  });
});
