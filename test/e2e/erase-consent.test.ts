import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startRipen } from "#shared/local/runtime";
import { GENERIC_SECRET, genericPayload } from "../support/generic";
import { postGeneric } from "../support/webhook-sender";

let ripen: Awaited<ReturnType<typeof startRipen>>;

beforeAll(async () => {
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    // Stream checkpoints and dead letters in a temporary directory, removed on stop.
    inMemory: true,
    tableName: `e2e-erase-${Date.now()}`,
    env: { RIPEN_SECRET_GENERIC: GENERIC_SECRET, RIPEN_ERASE_BLOCKS_RECREATE: "true" },
    log: () => {},
  });
});

afterAll(async () => {
  await ripen?.stop();
});

const send = (payload: Record<string, unknown>) => postGeneric(ripen.url, JSON.stringify(payload));

describe("an erased person is not re-created without consent", () => {
  const email = "erased.person@example.com";

  it("refuses new events after erasure with a 202 the sender will not retry, until consent is given", async () => {
    expect((await send(genericPayload({ email }))).status).toBe(200);
    const erased = await fetch(`${ripen.url}/leads/${email}`, { method: "DELETE" });
    expect(erased.status).toBe(200);

    const refused = await send(genericPayload({ email }));
    expect(refused).toMatchObject({ status: 202, body: { error: { code: "consent_required" } } });
    expect((await fetch(`${ripen.url}/leads/${email}`)).status).toBe(404);

    const consented = await send(genericPayload({ email, answers: { consent: "yes" } }));
    expect(consented).toMatchObject({ status: 200, body: { duplicate: false } });
    expect((await fetch(`${ripen.url}/leads/${email}`)).status).toBe(200);
  });
});
