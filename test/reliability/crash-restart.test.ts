import { existsSync } from "node:fs";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readBusJournal } from "#shared/local/bus-journal";
import { busJournalPath } from "#shared/local/runtime";
import { type AlertStub, startSesStub, startSlackStub } from "../support/alert-stubs";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { type FaultProxy, startFaultProxy } from "../support/fault-proxy";
import { GENERIC_SECRET, genericPayload } from "../support/generic";
import { type RipenProcess, startRipenProcess } from "../support/ripen-process";
import { deliver, postGeneric, type SenderResponse, storedLead } from "../support/webhook-sender";

/**
 * `npm start` in its own process, killed with SIGKILL while requests are in flight, then started again on
 * the same data directory. Its DynamoDB requests go through a proxy that holds them, so the kill lands
 * mid-request: some transactions reach DynamoDB after the process that sent them is gone.
 */
let table: TestTable;
let proxy: FaultProxy;
let slack: AlertStub;
let ses: AlertStub;
let dataDir: string;
let ripen: RipenProcess | undefined;
const url = () => ripen?.url ?? "http://127.0.0.1:9";

async function start(): Promise<RipenProcess> {
  ripen = await startRipenProcess({
    DYNAMODB_ENDPOINT: proxy.url,
    TABLE_NAME: table.tableName,
    RIPEN_DATA_DIR: dataDir,
    RIPEN_SECRET_GENERIC: GENERIC_SECRET,
    SLACK_WEBHOOK_URL: slack.url,
    SES_ENDPOINT: ses.url,
    POWERTOOLS_LOG_LEVEL: "CRITICAL",
    // A claim left by the killed process lapses before the restarted one retries the alert.
    RIPEN_ALERT_LEASE_SECONDS: "2",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  return ripen;
}

beforeAll(async () => {
  table = await createTestTable("reliability-crash");
  proxy = await startFaultProxy(table.endpoint);
  slack = await startSlackStub();
  ses = await startSesStub();
  dataDir = await mkdtemp(join(tmpdir(), "ripen-crash-"));
});

afterAll(async () => {
  await ripen?.kill9();
  await proxy?.stop();
  await slack?.stop();
  await ses?.stop();
  table?.client.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const about = (stub: AlertStub, text: string) => stub.delivered().filter((request) => request.body.includes(text));

const body = (email: string, eventId: string, overrides: Record<string, unknown> = {}) =>
  JSON.stringify(
    genericPayload({ email, eventId, type: "page.viewed", properties: { path: "/pricing" }, ...overrides }),
  );

describe("the local server killed with -9", () => {
  it("mid-request: after a restart and the sender's retries, every delivery is stored exactly once", async () => {
    // Prepare: 8 leads, 3 deliveries each; every commit held 400 ms on its way to DynamoDB.
    await start();
    const emails = Array.from({ length: 8 }, (_, index) => `crash-${index}@example.com`);
    const deliveries = emails.flatMap((email) => [0, 1, 2].map((index) => body(email, `${email}-${index}`)));
    proxy.inject({ fault: { kind: "delay", ms: 400 }, operations: ["TransactWriteItems"] });

    // Act: send everything at once; kill the server once a few answers are back.
    const answers: (SenderResponse | undefined)[] = Array(deliveries.length).fill(undefined);
    let answered = 0;
    const sending = deliveries.map((delivery, index) =>
      postGeneric(url(), delivery).then(
        (response) => {
          answers[index] = response;
          answered++;
        },
        () => {},
      ),
    );
    await vi.waitFor(() => expect(answered).toBeGreaterThanOrEqual(3), { timeout: 30_000, interval: 10 });
    await ripen?.kill9();
    await Promise.all(sending);
    const unanswered = answers.filter((answer) => answer?.status !== 200).length;
    // Held commits the dead server sent still reach DynamoDB now.
    await new Promise((resolve) => setTimeout(resolve, 600));
    proxy.inject(undefined);
    await start();
    const retried = await Promise.all(
      deliveries.map((delivery, index) => (answers[index]?.status === 200 ? undefined : deliver(url, delivery))),
    );

    // Assess
    expect(unanswered).toBeGreaterThan(0);
    expect(retried.filter(Boolean).every((delivery) => delivery?.final.status === 200)).toBe(true);
    for (const email of emails) {
      const stored = await storedLead(table, email);
      expect(stored.events.map((event) => event.sourceEventId).sort(), email).toEqual(
        [0, 1, 2].map((index) => `${email}-${index}`),
      );
      expect(stored.lead, email).toMatchObject({ eventCount: 3, version: 3 });
      expect(stored.transitions.map((transition) => transition.from)[0], email).toBeNull();
    }
  }, 180_000);

  // A notifier that dies between claiming an alert and posting it leaves a claim and a delivery in the
  // bus's journal: the restarted bus resumes it, finds the claim in flight and retries until the lease lapses.
  it("between the alert's claim and its post: the alert still goes out, once", async () => {
    // Prepare: the ledger's claims (PutItem) are applied, but their answers held for 30 s.
    ripen ??= await start();
    const email = "crash-alert@example.com";
    const form = { type: "form.submitted", answers: { budget: "30k", timeline: "this quarter" } };
    await deliver(url, body(email, `${email}-form`, form));
    proxy.inject({ fault: { kind: "delay-answer", ms: 30_000 }, operations: ["PutItem"] });

    // Act: the demo makes the lead sql; once both notifiers (Slack, email) hold their claim, kill the
    // server and start it again.
    await deliver(url, body(email, `${email}-demo`, { type: "demo.completed" }));
    await vi.waitFor(() => expect(proxy.faultsApplied()).toBe(2), { timeout: 20_000, interval: 20 });
    await ripen.kill9();
    const journaled = (await readBusJournal(busJournalPath(dataDir, table.tableName))).unfinished;
    proxy.inject(undefined);
    await start();

    // Assess
    expect(journaled.map(({ target, event }) => [target, JSON.stringify(event.detail).includes(email)]).sort()).toEqual(
      [
        ["notify-email", true],
        ["notify-slack", true],
      ],
    );
    await vi.waitFor(
      () => {
        expect(about(slack, "crash-alert")).toHaveLength(1);
        expect(about(ses, "crash-alert")).toHaveLength(1);
      },
      // The restarted bus retries with backoff until the dead process's 2 s claims lapse: seconds, more on a busy machine.
      { timeout: 30_000 },
    );
  }, 120_000);

  // The bus journals a delivery before the stream checkpoint moves past its record, so the stream goes on
  // while a notifier fails; a process killed then resumes the delivery from the journal at its next start.
  it("while alerts wait to retry: the restart resumes them from the journal, and each goes out once", async () => {
    // Prepare: Slack refuses everything for now.
    ripen ??= await start();
    const journal = busJournalPath(dataDir, table.tableName);
    slack.script(Array.from({ length: 1_000 }, () => ({ status: 500 })));
    const form = { type: "form.submitted", answers: { budget: "30k", timeline: "this quarter" } };
    const leads = ["crash-retrying@example.com", "crash-behind@example.com"];

    // Act: two leads become sql. Once their emails are sent and only their Slack alerts wait to retry, in
    // the journal (the stream has moved past both), kill the server; tear the journal's last line as a
    // kill mid-append would, let Slack recover and start again.
    for (const email of leads) {
      await deliver(url, body(email, `${email}-form`, form));
      await deliver(url, body(email, `${email}-demo`, { type: "demo.completed" }));
    }
    const waitingToRetry = async () =>
      (await readBusJournal(journal)).unfinished.map(({ target, event }) => [
        target,
        leads.find((email) => JSON.stringify(event.detail).includes(email)),
      ]);
    await vi.waitFor(
      async () => {
        expect(leads.map((email) => about(ses, email).length)).toEqual([1, 1]);
        expect(await waitingToRetry()).toEqual(leads.map((email) => ["notify-slack", email]));
      },
      { timeout: 30_000, interval: 50 },
    );
    await ripen.kill9();
    expect(leads.map((email) => about(slack, email).length)).toEqual([0, 0]);
    await appendFile(journal, '{"accepted":{"id":"torn-by-the-kill","rule":"on');
    slack.script([]);
    await start();

    // Assess
    expect(ripen?.output()).toContain("bus: skipped 1 unreadable line(s)");
    await vi.waitFor(() => expect(leads.map((email) => about(slack, email).length)).toEqual([1, 1]), {
      timeout: 30_000,
    });
    // Every delivery finished (the journal goes once none is in flight): nothing more can go out.
    await vi.waitFor(() => expect(existsSync(journal)).toBe(false), { timeout: 10_000 });
    expect(leads.map((email) => [about(slack, email).length, about(ses, email).length])).toEqual([
      [1, 1],
      [1, 1],
    ]);
  }, 120_000);
});
