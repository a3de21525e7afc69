import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseDocument } from "yaml";
import { type AlertStub, startSlackStub } from "../support/alert-stubs";
import { type AlertingRipen, startAlertingRipen } from "../support/alerting-ripen";
import { genericPayload } from "../support/generic";
import { postGeneric } from "../support/webhook-sender";
import { DEFAULT_MODEL_PATH } from "../unit/model/journeys";

/** The default model with routing of its own: no rule is the default sql → Slack and email. */
const NOTIFICATIONS = [
  { id: "new-lead", to: ["lead"], channels: ["marketing"] },
  { id: "marketing-ready", to: ["mql"], channels: ["email"] },
  { id: "opportunity", to: ["sqo"], channels: ["slack"] },
];

let modelDir: string;
let marketing: AlertStub;
let running: AlertingRipen;

beforeAll(async () => {
  modelDir = await mkdtemp(join(tmpdir(), "ripen-routing-"));
  const model = parseDocument(await readFile(DEFAULT_MODEL_PATH, "utf8"));
  model.set("notifications", NOTIFICATIONS);
  const modelPath = join(modelDir, "ripen.model.yaml");
  await writeFile(modelPath, String(model));
  marketing = await startSlackStub();
  running = await startAlertingRipen("e2e-alert-routing", {
    env: { RIPEN_MODEL: modelPath, SLACK_MARKETING_WEBHOOK_URL: marketing.url },
  });
});

afterAll(async () => {
  await running?.stop();
  await marketing?.stop();
  if (modelDir) await rm(modelDir, { recursive: true, force: true });
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
/** The alerts a stub took, by the stage each one names (`…: SQO, score 60`). */
const stagesIn = (stub: AlertStub) =>
  stub.delivered().map((request) => /: (Lead|MQL|SAL|SQL|SQO|Disqualified|Recycled), score/.exec(request.body)?.[1]);

describe("alerts routed by the model", () => {
  it("reach exactly the channels the model's rules name: a new lead, mql by email, sqo on Slack", async () => {
    // Prepare: one lead through three stages, each a rule on another channel.
    const email = "routed@example.com";
    const now = new Date().toISOString();
    const steps = [
      { type: "newsletter.subscribed", stage: "lead" },
      { type: "content.downloaded", stage: "mql" },
      { type: "opportunity.created", stage: "sqo" },
    ];

    // Act
    for (const [index, step] of steps.entries()) {
      const body = genericPayload({ email, type: step.type, eventId: `routed-${index}`, occurredAt: now });
      const response = await postGeneric(running.ripen.url, JSON.stringify(body));
      expect(response.body).toMatchObject({ stage: step.stage });
    }

    // Assess: each alert where its rule sends it, and then nothing more anywhere.
    await vi.waitFor(
      () => {
        expect(stagesIn(marketing)).toEqual(["Lead"]);
        expect(stagesIn(running.ses)).toEqual(["MQL"]);
        expect(stagesIn(running.slack)).toEqual(["SQO"]);
      },
      { timeout: 20_000, interval: 200 },
    );
    await settle();
    expect(stagesIn(marketing)).toEqual(["Lead"]);
    expect(stagesIn(running.ses)).toEqual(["MQL"]);
    expect(stagesIn(running.slack)).toEqual(["SQO"]);
    expect(await running.ripen.deadLetters.list()).toEqual([]);
  });
});
