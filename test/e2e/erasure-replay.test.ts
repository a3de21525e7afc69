import { createHash } from "node:crypto";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localDynamoDbClient } from "#shared/local/clients";
import { startRipen } from "#shared/local/runtime";
import { GENERIC_SECRET, genericPayload } from "../support/generic";
import { postGeneric } from "../support/webhook-sender";

let ripen: Awaited<ReturnType<typeof startRipen>>;
const tableName = `e2e-erasure-replay-${Date.now()}`;

beforeAll(async () => {
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    // Stream checkpoints and dead letters in a temporary directory, removed on stop.
    inMemory: true,
    tableName,
    env: { RIPEN_SECRET_GENERIC: GENERIC_SECRET },
    log: () => {},
  });
});

afterAll(async () => {
  await ripen?.stop();
});

/** Every string the table holds, keys and attributes alike, as one text to search. */
async function tableText(): Promise<string> {
  const client = localDynamoDbClient(inject("dynamodbEndpoint"));
  try {
    const texts: string[] = [];
    let startKey: Record<string, never> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) texts.push(JSON.stringify(unmarshall(item)));
      startKey = page.LastEvaluatedKey as typeof startKey;
    } while (startKey);
    return texts.join("\n");
  } finally {
    client.destroy();
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("an erasure a replay cannot undo", () => {
  it("answers a redelivery of an erased event as a duplicate, and re-creates nobody", async () => {
    // Prepare: a delivery, stored, then the person erased
    const email = "replayed.person@example.com";
    const body = JSON.stringify(genericPayload({ email, eventId: "replayed-1", name: "Replayed Person" }));
    expect((await postGeneric(ripen.url, body)).body).toMatchObject({ duplicate: false });
    expect((await fetch(`${ripen.url}/leads/${email}`, { method: "DELETE" })).status).toBe(200);

    // Act: the sender delivers the same event again (signed anew, as a retry or an attacker would)
    const replay = await postGeneric(ripen.url, body);

    // Assess
    expect(replay).toMatchObject({ status: 200, body: { duplicate: true } });
    expect((await fetch(`${ripen.url}/leads/${email}`)).status).toBe(404);
    expect(await tableText()).not.toContain("Replayed Person");
  });

  it("leaves nothing that anyone holding the email or the sender's id can find the person by", async () => {
    // Prepare
    const email = "forgotten.person@example.com";
    const eventId = "vendor-id-81237";
    const created = await postGeneric(ripen.url, JSON.stringify(genericPayload({ email, eventId })));
    const leadId = String(created.body.leadId);

    // Act
    expect((await fetch(`${ripen.url}/leads/${email}`, { method: "DELETE" })).status).toBe(200);

    // Assess: neither a bare hash of the email (nor the lead id an unkeyed hash would give) nor the ids remain
    const text = await tableText();
    const emailHash = sha256(email);
    expect(leadId).not.toBe(`ld_${emailHash.slice(0, 24)}`);
    expect(text).not.toContain(emailHash.slice(0, 24));
    expect(text).not.toContain(email);
    expect(text).not.toContain(eventId);
    expect(text).not.toContain(sha256(`generic:${eventId}`).slice(0, 24));
  });
});
