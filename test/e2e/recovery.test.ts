import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dynamoTransitionRange } from "#shared/adapters/dynamodb/transition-range";
import { redriveDeadLetters } from "#shared/application/recovery/redrive";
import { replayArchive } from "#shared/application/recovery/replay";
import { republishPipeDeadLetters, republishRange } from "#shared/application/recovery/republish";
import { isPipeDeadLetter, localArchive, localBusPublisher, localDeadLetterQueue } from "#shared/local/recovery";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { compileModelFile } from "#shared/runtime/scoring-model";
import { type AlertingRipen, ripenToSql, startAlertingRipen } from "../support/alerting-ripen";

vi.hoisted(() => {
  // Slack is made to fail below; the handlers' logs would only bury the test output.
  process.env.POWERTOOLS_LOG_LEVEL = "CRITICAL";
});

let running: AlertingRipen;

beforeAll(async () => {
  // The bus tries a failing notifier three times, quickly, before dead-lettering the event.
  running = await startAlertingRipen("e2e-recovery", { targetRetry: { attempts: 3, baseMs: 100, capMs: 300 } });
}, 60_000);

afterAll(() => running?.stop());

const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));
const slackAbout = (email: string) => running.slack.delivered().filter((request) => request.body.includes(email));
const notifierLetters = async () =>
  (await running.ripen.deadLetters.list()).filter((entry) => !isPipeDeadLetter(entry));

/** The recovery use cases wired to the local runtime: its bus, its dead-letter file and its table. */
function recovery() {
  const bus = localBusPublisher(running.ripen.bus);
  const deps = {
    recorded: dynamoTransitionRange({ client: running.table.client, tableName: running.table.tableName }),
    channelsFor: loadCompiledEngine(compileModelFile().compiled).channelsFor,
    bus,
  };
  const republish = republishRange(deps);
  return {
    redrive: redriveDeadLetters({
      queues: [localDeadLetterQueue(running.ripen.deadLetters, "rules", (entry) => !isPipeDeadLetter(entry))],
      bus,
    }),
    replay: replayArchive({
      archive: localArchive(async (from, to) => (await republish({ from, to, dryRun: false })).transitions),
    }),
    republishPipes: republishPipeDeadLetters({
      ...deps,
      queues: [localDeadLetterQueue(running.ripen.deadLetters, "pipes", isPipeDeadLetter)],
    }),
  };
}

/** A new lead made sql while Slack answers 500 to every try: its Slack alert ends in the dead letters. */
async function sqlWhileSlackIsDown(email: string): Promise<void> {
  const before = (await notifierLetters()).length;
  running.slack.script(Array.from({ length: 12 }, () => ({ status: 500 })));
  await ripenToSql(() => running.ripen.url, email);
  await vi.waitFor(async () => expect((await notifierLetters()).length).toBe(before + 1), { timeout: 60_000 });
  running.slack.script([]);
  expect(slackAbout(email)).toEqual([]);
}

describe("npm run redrive against the local runtime", () => {
  it("puts a dead-lettered alert back on the bus once Slack is back: one alert, the dead letter gone", async () => {
    // Prepare
    const email = "redrive@example.com";
    await sqlWhileSlackIsDown(email);
    const { redrive } = recovery();

    // Act: a dry run first, then the redrive, then a second one.
    const dry = await redrive({ dryRun: true });
    await settle();
    const sentAfterDryRun = slackAbout(email).length;
    const first = await redrive({ dryRun: false });
    await vi.waitFor(() => expect(slackAbout(email)).toHaveLength(1), { timeout: 20_000 });
    const second = await recovery().redrive({ dryRun: false });
    await settle();

    // Assess
    expect(dry).toEqual([{ queue: "rules", events: 1, left: [] }]);
    expect(sentAfterDryRun).toBe(0);
    expect(first).toEqual([{ queue: "rules", events: 1, left: [] }]);
    expect(second).toEqual([{ queue: "rules", events: 0, left: [] }]);
    expect(await notifierLetters()).toEqual([]);
    expect(slackAbout(email)).toHaveLength(1);
  });
});

describe("npm run replay against the local runtime (the table stands in for the archive)", () => {
  it("sends what was missed in the range and nothing twice", async () => {
    // Prepare
    const from = new Date().toISOString();
    const email = "replay@example.com";
    await sqlWhileSlackIsDown(email);
    const to = new Date().toISOString();
    const { replay } = recovery();

    // Act
    const dry = await replay({ from, to, dryRun: true });
    await settle();
    const sentAfterDryRun = slackAbout(email).length;
    const first = await replay({ from, to, dryRun: false });
    await vi.waitFor(() => expect(slackAbout(email)).toHaveLength(1), { timeout: 20_000 });
    await replay({ from, to, dryRun: false });
    await settle();

    // Assess
    expect(dry).toContain("would republish");
    expect(sentAfterDryRun).toBe(0);
    expect(first).toMatch(/republished [1-9]\d* transition/);
    expect(slackAbout(email)).toHaveLength(1);
    // The earlier lead's alert, outside the range, was not sent again.
    expect(slackAbout("redrive@example.com")).toHaveLength(1);
  });
});

describe("npm run republish against the local runtime", () => {
  it("republishes the range a pipe's failed batch covered, from the table, then removes the dead letter", async () => {
    // Prepare: a lead whose alert was missed, and a failed batch of the transition pipe that covers it
    // (as the local pipe dead-letters one: the records, each with its creation time in seconds).
    const email = "republish@example.com";
    const start = Math.floor(Date.now() / 1000);
    await sqlWhileSlackIsDown(email);
    const end = Math.floor(Date.now() / 1000);
    const records = [start, end].map((at) => ({ eventName: "INSERT", dynamodb: { ApproximateCreationDateTime: at } }));
    await running.ripen.deadLetters.add({
      at: new Date().toISOString(),
      rule: "transition pipe",
      target: "publish",
      attempts: 3,
      reason: "Error: publish failed",
      payload: records,
    });
    const { republishPipes } = recovery();

    // Act
    const dry = await republishPipes({ dryRun: true });
    const first = await republishPipes({ dryRun: false });
    await vi.waitFor(() => expect(slackAbout(email)).toHaveLength(1), { timeout: 20_000 });
    await settle();

    // Assess
    expect(dry[0]?.batches).toHaveLength(1);
    expect(first[0]?.batches[0]?.transitions).toBeGreaterThan(0);
    expect((await running.ripen.deadLetters.list()).filter(isPipeDeadLetter)).toEqual([]);
    expect(slackAbout(email)).toHaveLength(1);
    expect(slackAbout("replay@example.com")).toHaveLength(1);
  });
});
