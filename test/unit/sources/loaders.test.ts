import { describe, expect, it } from "vitest";
import { environmentSecrets } from "#shared/adapters/secrets";
import { WEBHOOK_SOURCES } from "#shared/adapters/sources/index";
import { WEBHOOK_SOURCE_LOADERS } from "#shared/adapters/sources/loaders";
import { ingestWebhook } from "#shared/application/ingest-webhook";
import type { SourceLoader, WebhookSource } from "#shared/application/ports/webhook-source";
import { UnknownSourceError } from "#shared/domain/errors";
import { loadEngine } from "#shared/runtime/scoring-model";
import { GENERIC_SECRET, genericPayload, signedGenericRequest } from "../../support/generic";
import { memoryLeadStore } from "../../support/memory-lead-store";
import { recordLeads } from "../../support/pseudonyms";

describe("the sources loaded on their first delivery", () => {
  it("are the sources the webhook route accepts, each loading the same adapter", async () => {
    // Act
    const loaded = await Promise.all(
      Object.entries(WEBHOOK_SOURCE_LOADERS).map(async ([name, load]) => [name, await load?.()] as const),
    );

    // Assess
    expect(Object.keys(WEBHOOK_SOURCE_LOADERS).sort()).toEqual(Object.keys(WEBHOOK_SOURCES).sort());
    for (const [name, source] of loaded) expect(source).toBe(WEBHOOK_SOURCES[name as keyof typeof WEBHOOK_SOURCES]);
  });

  it("import a sender's module once: every later delivery gets the same promise", () => {
    for (const load of Object.values(WEBHOOK_SOURCE_LOADERS)) expect(load?.()).toBe(load?.());
  });

  it("load only the source a delivery names, once it is known, and record as the loaded ones do", async () => {
    // Prepare: loaders that say when they run.
    const calls: string[] = [];
    const counted = (name: string, load: SourceLoader | undefined): SourceLoader => {
      return async () => {
        calls.push(name);
        return (await load?.()) as WebhookSource;
      };
    };
    const memory = memoryLeadStore();
    const ingest = ingestWebhook({
      sources: Object.fromEntries(
        Object.entries(WEBHOOK_SOURCE_LOADERS).map(([name, load]) => [name, counted(name, load)]),
      ),
      secrets: environmentSecrets({ RIPEN_SECRET_GENERIC: GENERIC_SECRET }),
      record: recordLeads({ store: memory.store, engine: loadEngine(), clock: () => new Date() }),
      clock: () => new Date(),
      toleranceSeconds: 300,
      unsigned: new Set(),
    });

    // Act
    await expect(ingest("mailchimp", signedGenericRequest(genericPayload()))).rejects.toBeInstanceOf(
      UnknownSourceError,
    );
    const outcome = await ingest("generic", signedGenericRequest(genericPayload()));

    // Assess
    expect(calls).toEqual(["generic"]);
    expect(outcome.statusCode).toBe(200);
    expect([...memory.leads.values()].map((lead) => lead.email)).toEqual(["ada@example.com"]);
  });
});
