import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readCompiledModel } from "#shared/adapters/compiled-model-file";
import type { LeadStageChangedDetail } from "#shared/bus/lead-stage-changed";
import { InvalidModelError } from "#shared/domain/model/problems";
import type { LambdaHandler } from "#shared/local/handlers";
import type { BusEvent } from "#shared/local/local-bus";
import { type RipenOptions, type RunningRipen, startRipen } from "#shared/local/runtime";
import { loadModel } from "#shared/runtime/scoring-model";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { rawRequest } from "../support/raw-http";

let table: TestTable;
let dataDir: string;
const running: RunningRipen[] = [];

beforeAll(async () => {
  table = await createTestTable("local-runtime");
  dataDir = await mkdtemp(join(tmpdir(), "ripen-runtime-"));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((ripen) => ripen.stop()));
});

afterAll(async () => {
  table?.client.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Publish as the real function does, minus the lead: one `to: sql` detail per transition record. */
const publish: LambdaHandler<DynamoDBRecord[], LeadStageChangedDetail[]> = async (records) =>
  records.map((record) => ({
    metadata: {
      version: "2",
      transitionId: record.dynamodb?.NewImage?.id?.S ?? "?",
      occurredAt: "2026-03-01T10:00:00.000Z",
      modelVersion: "test-1",
    },
    channels: ["slack", "email"],
    data: {
      lead: { leadId: "lead-1", email: "ada@example.com", domain: "example.com" },
      from: "mql",
      to: "sql",
      score: 80,
      reason: "score >= 70",
      actor: { type: "rule", id: "sql-threshold" },
      reasons: [],
      bant: {},
    },
  }));

/** Notifier fakes: Slack notes each transition it alerts on, or fails for all of them or the ones named. */
function notifiers() {
  const slack: string[] = [];
  let slackFailing: (transitionId: string) => boolean = () => false;
  const handlers = {
    publish,
    "notify-slack": async (event: BusEvent) => {
      const { transitionId } = (event.detail as LeadStageChangedDetail).metadata;
      if (slackFailing(transitionId)) throw new Error("slack answered 500");
      slack.push(transitionId);
    },
    "notify-email": async () => {},
  };
  return {
    slack,
    handlers,
    failSlack: (...transitionIds: string[]) =>
      (slackFailing = (id) => transitionIds.length === 0 || transitionIds.includes(id)),
  };
}

async function start(options: RipenOptions): Promise<RunningRipen> {
  const ripen = await startRipen({
    dynamodbEndpoint: table.endpoint,
    tableName: table.tableName,
    dataDir,
    pollIntervalMs: 50,
    preload: false,
    targetRetry: { attempts: 2, baseMs: 1, capMs: 5 },
    log: () => {},
    ...options,
  });
  running.push(ripen);
  return ripen;
}

async function putTransition(id: string, move: { from: string | null; to: string } = { from: "mql", to: "sql" }) {
  await table.client.send(
    new PutItemCommand({
      TableName: table.tableName,
      Item: marshall({ pk: `LEAD#${id}`, sk: `TRANSITION#${id}`, entity: "transition", ...move, id }),
    }),
  );
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe("local runtime: table stream → publish → bus → notifier", () => {
  it("alerts once per transition, and a restart on the same data dir neither repeats nor loses an alert", async () => {
    // Prepare
    const first = notifiers();
    const ripen = await start({ handlers: first.handlers });

    // Act: one transition while running, one while stopped.
    await putTransition("runtime-1");
    await vi.waitFor(() => expect(first.slack).toContain("runtime-1"), { timeout: 10_000 });
    await ripen.stop();
    await putTransition("runtime-2");
    const second = notifiers();
    await start({ handlers: second.handlers });

    // Assess
    await vi.waitFor(() => expect(second.slack).toContain("runtime-2"), { timeout: 10_000 });
    await settle();
    expect(first.slack).toEqual(["runtime-1"]);
    expect(second.slack).toEqual(["runtime-2"]);
  });

  it("keeps alerting while one alert waits to retry, and a restart delivers that one, once", async () => {
    // Prepare: Slack refuses one transition; its next try is a minute away.
    const first = notifiers();
    first.failSlack("runtime-stuck");
    const ripen = await start({
      handlers: first.handlers,
      targetRetry: { attempts: 3, baseMs: 60_000, capMs: 60_000 },
    });

    // Act: a transition behind the refused one goes out meanwhile; then a stop and a start on the same data dir.
    await putTransition("runtime-stuck");
    await putTransition("runtime-behind");
    await vi.waitFor(() => expect(first.slack).toContain("runtime-behind"), { timeout: 10_000 });
    await ripen.stop();
    const second = notifiers();
    await start({ handlers: second.handlers });

    // Assess
    await vi.waitFor(() => expect(second.slack).toContain("runtime-stuck"), { timeout: 10_000 });
    await settle();
    expect(first.slack).toEqual(["runtime-behind"]);
    expect(second.slack).toEqual(["runtime-stuck"]);
  });

  it("puts a lead's creation into lead on the bus only with publishNewLeads", async () => {
    // Prepare
    const byDefault: string[] = [];
    const withNewLeads: string[] = [];
    /** The publish fixture, noting the transition ids the Pipe's filters let through. */
    const publishing =
      (ids: string[]): typeof publish =>
      (records, context) => {
        ids.push(...records.map((record) => record.dynamodb?.NewImage?.id?.S ?? "?"));
        return publish(records, context);
      };
    const ripen = await start({ handlers: { ...notifiers().handlers, publish: publishing(byDefault) } });

    // Act: a creation, then a move behind it (a shard's records are read in order)
    await putTransition("created-1", { from: null, to: "lead" });
    await putTransition("moved-1", { from: "lead", to: "mql" });
    await vi.waitFor(() => expect(byDefault).toContain("moved-1"), { timeout: 10_000 });
    await ripen.stop();
    await start({ handlers: { ...notifiers().handlers, publish: publishing(withNewLeads) }, publishNewLeads: true });
    await putTransition("created-2", { from: null, to: "lead" });

    // Assess
    await vi.waitFor(() => expect(withNewLeads).toContain("created-2"), { timeout: 10_000 });
    expect(byDefault).toEqual(["moved-1"]);
    expect(withNewLeads).toEqual(["created-2"]);
  });

  it("dead-letters an alert the notifier keeps refusing, with the reason, in the data dir", async () => {
    const failing = notifiers();
    failing.failSlack();
    const ripen = await start({ handlers: failing.handlers });

    await putTransition("runtime-dead");

    await vi.waitFor(
      async () =>
        expect((await ripen.deadLetters.list()).map((letter) => letter.reason)).toContain("Error: slack answered 500"),
      { timeout: 10_000 },
    );
    expect(ripen.deadLetters.path).toBe(join(dataDir, "dead-letters.jsonl"));
    const [letter] = await ripen.deadLetters.list();
    expect(letter).toMatchObject({ target: "notify-slack", attempts: 2 });
  });
});

describe("local runtime: HTTP and environment", () => {
  it("routes HTTP to the function's handler with the table's environment set, and restores it on stop", async () => {
    // Prepare
    const before = process.env.TABLE_NAME;
    let seen: Record<string, string | undefined> = {};
    const ripen = await start({
      handlers: {
        ...notifiers().handlers,
        read: async () => {
          seen = { TABLE_NAME: process.env.TABLE_NAME, RIPEN_PUBLIC_URL: process.env.RIPEN_PUBLIC_URL };
          return { statusCode: 200, body: "ok" };
        },
      },
      env: { RIPEN_SECRET_GENERIC: "not-a-real-secret" },
    });

    // Act
    const response = await fetch(`${ripen.url}/health`);
    const secretDuringRun = process.env.RIPEN_SECRET_GENERIC;
    await ripen.stop();

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("apigw-requestid")).toBeTruthy();
    expect(ripen.url).toBe(`http://127.0.0.1:${ripen.port}`);
    expect(seen).toEqual({ TABLE_NAME: table.tableName, RIPEN_PUBLIC_URL: ripen.url });
    expect(secretDuringRun).toBe("not-a-real-secret");
    expect(process.env.TABLE_NAME).toBe(before);
    expect(process.env.RIPEN_SECRET_GENERIC).toBeUndefined();
  });

  it("opens the public URL's host to the public routes only, and asks for the admin token on the others", async () => {
    // Prepare
    const token = "runtime-admin-token-8d41c0";
    let seenPublicUrl: string | undefined;
    const ripen = await start({
      publicUrl: "https://ripen-tunnel.example",
      adminToken: token,
      handlers: {
        ...notifiers().handlers,
        read: async () => {
          seenPublicUrl = process.env.RIPEN_PUBLIC_URL;
          return { statusCode: 200, body: "ok" };
        },
      },
    });
    const get = (path: string, headers: string[]) =>
      rawRequest(ripen.port, [`GET ${path} HTTP/1.1`, ...headers, "Connection: close", ""].join("\n"));

    // Act
    const health = await get("/health", ["Host: ripen-tunnel.example"]);
    const leadsThroughTunnel = await get("/leads", ["Host: ripen-tunnel.example", `Authorization: Bearer ${token}`]);
    const leadsWithoutToken = await get("/leads", ["Host: 127.0.0.1"]);
    const leadsWithToken = await get("/leads", ["Host: 127.0.0.1", `Authorization: Bearer ${token}`]);

    // Assess
    expect([health, leadsThroughTunnel, leadsWithoutToken, leadsWithToken].map((response) => response.status)).toEqual([
      200, 421, 401, 200,
    ]);
    expect(seenPublicUrl).toBe("https://ripen-tunnel.example");
  });

  it("hands the handlers RIPEN_MODEL compiled, as the build hands it to a Lambda", async () => {
    // Prepare
    const path = join(dataDir, "candidate.model.yaml");
    await writeFile(path, "version: candidate-7\n");
    let compiled: string | undefined;
    const ripen = await start({
      env: { RIPEN_MODEL: path },
      handlers: {
        ...notifiers().handlers,
        read: async () => {
          compiled = process.env.RIPEN_COMPILED_MODEL;
          return { statusCode: 200, body: "ok" };
        },
      },
    });

    // Act
    await fetch(`${ripen.url}/health`);

    // Assess
    expect(compiled).toBeDefined();
    expect(readCompiledModel(compiled ?? "").model).toEqual(loadModel(path));
  });

  it("stops before it starts anything when the model is invalid, with the model's problems", async () => {
    // Prepare
    const path = join(dataDir, "broken.model.yaml");
    await writeFile(path, "version: v1\nstages:\n  acceptance: sometimes\n");
    const expected = await Promise.resolve()
      .then(() => loadModel(path))
      .then(
        () => new Error("the model loaded"),
        (error: Error) => error,
      );

    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, "127.0.0.1", listening));
    const { port } = taken.address() as AddressInfo;

    // Act
    const failure = start({ port, env: { RIPEN_MODEL: path }, handlers: notifiers().handlers });

    // Assess: the model's message, not the taken port's, since nothing started.
    await expect(failure).rejects.toThrow(InvalidModelError);
    await expect(failure).rejects.toThrow(expected.message);
    expect(expected.message).toMatch(/stages\.acceptance \(line 3:15\): Invalid option/);
    await new Promise((closed) => taken.close(closed));
  });

  it("stops with the function's name when the environment it would give a handler does not fit its declaration", async () => {
    // Act
    const failure = start({ env: { RIPEN_SIGNATURE_TOLERANCE_SECONDS: "soon" }, handlers: notifiers().handlers });

    // Assess
    await expect(failure).rejects.toThrow(/^ingest: invalid environment: RIPEN_SIGNATURE_TOLERANCE_SECONDS/);
  });

  it("fails at once with the fix when the port is taken", async () => {
    // Prepare
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, "127.0.0.1", listening));
    const { port } = taken.address() as AddressInfo;

    // Act
    const failure = start({ port, handlers: notifiers().handlers });

    // Assess
    await expect(failure).rejects.toThrow(`port ${port} on 127.0.0.1 is in use: set PORT to another port`);
    await new Promise((closed) => taken.close(closed));
  });

  it("keeps an in-memory run's files in a temporary directory that stop() removes", async () => {
    const ripen = await start({ dataDir: undefined, inMemory: true, handlers: notifiers().handlers });
    expect(ripen.dataDir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(ripen.dataDir)).toBe(true);

    await ripen.stop();

    expect(existsSync(ripen.dataDir)).toBe(false);
  });
});
