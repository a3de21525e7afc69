import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signGeneric } from "#shared/adapters/sources/generic";
import { GENERIC_SECRET, genericPayload } from "../support/generic";
import { type RawResponse, rawRequest } from "../support/raw-http";
import { type RipenProcess, startRipenProcess } from "../support/ripen-process";

/**
 * `npm start` with a tunnel for vendors: RIPEN_PUBLIC_URL and RIPEN_ADMIN_TOKEN read from the environment,
 * what they protect said at startup, and the request log free of the people it served.
 */
const TOKEN = "e2e-admin-token-1b7d93f0c2";
const PUBLIC_HOST = "ripen-e2e-tunnel.example";
const EMAIL = "grace.hopper@example.com";
let dataDir: string;
let ripen: RipenProcess;

const environment = () => ({
  DYNAMODB_ENDPOINT: inject("dynamodbEndpoint"),
  TABLE_NAME: `e2e-access-${Date.now()}`,
  RIPEN_DATA_DIR: dataDir,
  RIPEN_SECRET_GENERIC: GENERIC_SECRET,
  RIPEN_SES_PORT: "0",
  POWERTOOLS_LOG_LEVEL: "CRITICAL",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ripen-access-"));
  ripen = await startRipenProcess({
    ...environment(),
    RIPEN_PUBLIC_URL: `https://${PUBLIC_HOST}`,
    RIPEN_ADMIN_TOKEN: TOKEN,
  });
}, 120_000);

afterAll(async () => {
  await ripen?.kill9();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const port = () => Number(new URL(ripen.url).port);

function request(method: string, path: string, headers: string[], body = ""): Promise<RawResponse> {
  const head = [
    `${method} ${path} HTTP/1.1`,
    ...headers,
    "Connection: close",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
  ].join("\n");
  return rawRequest(port(), head, Buffer.from(body));
}

function webhookThroughTunnel(payload: Record<string, unknown>): Promise<RawResponse> {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  return request(
    "POST",
    `/webhooks/generic?email=${encodeURIComponent(EMAIL)}`,
    [
      `Host: ${PUBLIC_HOST}`,
      "Content-Type: application/json",
      `X-Ripen-Timestamp: ${timestamp}`,
      `X-Ripen-Signature: ${signGeneric(GENERIC_SECRET, timestamp, body)}`,
    ],
    body,
  );
}

describe("npm start behind a tunnel", () => {
  it("says at startup which hosts it answers and what the admin token protects", () => {
    expect(ripen.output()).toContain(`hosts:        127.0.0.1, localhost, [::1]; ${PUBLIC_HOST} for POST /webhooks`);
    expect(ripen.output()).toContain("admin:        the read and erase routes need RIPEN_ADMIN_TOKEN");
    expect(ripen.output()).not.toContain(TOKEN);
  });

  it("takes webhooks through the tunnel, reads and erases only from this machine with the token", async () => {
    // Act
    const delivered = await webhookThroughTunnel(genericPayload({ email: EMAIL }));
    const readThroughTunnel = await request("GET", `/leads/${EMAIL}`, [
      `Host: ${PUBLIC_HOST}`,
      `Authorization: Bearer ${TOKEN}`,
    ]);
    const readWithoutToken = await request("GET", `/leads/${EMAIL}`, ["Host: 127.0.0.1"]);
    const readWithToken = await request("GET", `/leads/${EMAIL}`, [
      "Host: 127.0.0.1",
      `Authorization: Bearer ${TOKEN}`,
    ]);
    const eraseFromAnotherSite = await request("DELETE", `/leads/${EMAIL}`, [
      "Host: 127.0.0.1",
      `Authorization: Bearer ${TOKEN}`,
      "Origin: http://evil.example",
    ]);
    const erased = await request("DELETE", `/leads/${EMAIL}`, ["Host: localhost", `Authorization: Bearer ${TOKEN}`]);

    // Assess
    expect(
      [delivered, readThroughTunnel, readWithoutToken, readWithToken, eraseFromAnotherSite, erased].map(
        (response) => response.status,
      ),
    ).toEqual([200, 421, 401, 200, 403, 200]);
    expect(JSON.parse(readWithToken.body.toString())).toMatchObject({ lead: { email: EMAIL } });
    expect(ripen.output()).toMatch(/^http: POST \/webhooks\/generic 200 \d+ ms$/m);
    expect(ripen.output()).toMatch(/^http: GET \/leads\/\{id\} 401 \d+ ms admin_token_required$/m);
    expect(ripen.output()).not.toContain("grace.hopper");
  });

  it("refuses to start with an admin token too short to protect anything, naming the variable only", async () => {
    const failure = startRipenProcess({ ...environment(), RIPEN_ADMIN_TOKEN: "hunter2-short" }).then(
      async (started) => {
        // Started after all: stop it rather than leave it running.
        await started.kill9();
        return started;
      },
    );
    await expect(failure).rejects.toThrow(/RIPEN_ADMIN_TOKEN: must be 16 to 256 printable ASCII characters/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
