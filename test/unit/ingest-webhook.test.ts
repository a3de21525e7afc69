import { describe, expect, it } from "vitest";
import { environmentSecrets } from "../../shared/adapters/secrets";
import { WEBHOOK_SOURCES } from "../../shared/adapters/sources";
import { ingestWebhook } from "../../shared/application/ingest-webhook";
import { recordEvent } from "../../shared/application/record-event";
import {
  InvalidPayloadError,
  InvalidSignatureError,
  SourceNotConfiguredError,
  UnknownSourceError,
  UnsupportedMediaTypeError,
} from "../../shared/domain/errors";
import { loadEngine } from "../../shared/runtime/engine";
import { GENERIC_SECRET, genericPayload, signedGenericRequest } from "../support/generic";
import { memoryLeadStore } from "../support/memory-lead-store";

function setup(secrets: Record<string, string> = { RIPEN_SECRET_GENERIC: GENERIC_SECRET }) {
  const memory = memoryLeadStore();
  const ingest = ingestWebhook({
    sources: WEBHOOK_SOURCES,
    secrets: environmentSecrets(secrets),
    record: recordEvent({ store: memory.store, engine: loadEngine(), clock: () => new Date(), sleep: async () => {} }),
    clock: () => new Date(),
    toleranceSeconds: 300,
    unsigned: new Set(),
  });
  return { memory, ingest };
}

describe("ingestWebhook", () => {
  it("records a verified generic event and answers with the lead's stage and score", async () => {
    const { memory, ingest } = setup();
    const outcome = await ingest("generic", signedGenericRequest(genericPayload()));
    const [lead] = [...memory.leads.values()];
    expect(outcome.statusCode).toBe(200);
    expect(outcome.body).toEqual({ leadId: lead?.leadId, stage: lead?.stage, score: lead?.score, duplicate: false });
    expect(lead?.email).toBe("ada@example.com");
  });

  it("answers duplicate: true for the same delivery again", async () => {
    const { memory, ingest } = setup();
    const request = signedGenericRequest(genericPayload());
    await ingest("generic", request);
    const again = await ingest("generic", request);
    expect(again.body).toMatchObject({ duplicate: true });
    expect([...memory.events.values()].flat()).toHaveLength(1);
  });

  it("refuses an unknown source with unknown_source", async () => {
    const { ingest } = setup();
    await expect(ingest("mailchimp", signedGenericRequest(genericPayload()))).rejects.toBeInstanceOf(
      UnknownSourceError,
    );
  });

  it("refuses a body that is not JSON by media type, before anything else", async () => {
    const { memory, ingest } = setup();
    const request = signedGenericRequest(genericPayload(), { headers: { "content-type": "text/plain" } });
    await expect(ingest("generic", request)).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
    expect(memory.leads.size).toBe(0);
  });

  it("accepts a JSON media type with parameters", async () => {
    const { ingest } = setup();
    const request = signedGenericRequest(genericPayload(), {
      headers: { "content-type": "Application/JSON; charset=utf-8" },
    });
    await expect(ingest("generic", request)).resolves.toMatchObject({ statusCode: 200 });
  });

  it("never processes a delivery that fails to verify", async () => {
    const { memory, ingest } = setup();
    const request = signedGenericRequest(genericPayload(), { secret: "wrong" });
    await expect(ingest("generic", request)).rejects.toBeInstanceOf(InvalidSignatureError);
    expect(memory.leads.size).toBe(0);
  });

  it("answers a temporary source_not_configured when the source has no secret, storing nothing", async () => {
    const { memory, ingest } = setup({});
    await expect(ingest("generic", signedGenericRequest(genericPayload()))).rejects.toBeInstanceOf(
      SourceNotConfiguredError,
    );
    expect(memory.leads.size).toBe(0);
  });

  it("refuses a signed payload whose email is not an email, with the path in details", async () => {
    const { memory, ingest } = setup();
    const request = signedGenericRequest(genericPayload({ email: "not-an-email" }));
    const error = await ingest("generic", request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect((error as InvalidPayloadError).details).toMatchObject({ issues: [{ path: "email" }] });
    expect(memory.leads.size).toBe(0);
  });
});
