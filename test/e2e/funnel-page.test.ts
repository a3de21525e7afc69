import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dynamoCalibrationReports } from "#shared/adapters/dynamodb/calibration-reports";
import type { FunnelView } from "#shared/application/funnel";
import { calibrate } from "#shared/domain/calibration/calibrate";
import type { LeadFeatures } from "#shared/domain/calibration/features";
import { B2B_SCENARIO, generateKnownTruthLeads } from "#shared/domain/calibration/known-truth";
import { localDynamoDbClient } from "#shared/local/clients";
import { startRipen } from "#shared/local/runtime";
import { findChromium, launchBrowser, type TestBrowser, watchedPage as watchedPageOf } from "../support/browser";
import { GENERIC_SECRET, genericPayload } from "../support/generic";
import { postGeneric } from "../support/webhook-sender";

let ripen: Awaited<ReturnType<typeof startRipen>>;
let browser: BrowserContext;
let chromium: TestBrowser;
const today = new Date().toISOString().slice(0, 10);

async function post(payload: Record<string, unknown>) {
  expect((await postGeneric(ripen.url, JSON.stringify(payload))).status).toBe(200);
}

beforeAll(async () => {
  // First, so a machine without a browser hears the fix at once.
  findChromium();
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    // Stream checkpoints and dead letters in a temporary directory, removed on stop.
    inMemory: true,
    tableName: `e2e-funnel-${Date.now()}`,
    env: { RIPEN_SECRET_GENERIC: GENERIC_SECRET },
    log: () => {},
  });
  // Three people: one stays a contact, two keep engaging, one books and completes a demo.
  const journeys: Record<string, string[]> = {
    "quiet@funnel.example": ["page.viewed"],
    "keen@funnel.example": ["form.submitted", "webinar.attended", "form.submitted"],
    "ready@funnel.example": ["form.submitted", "demo.scheduled", "demo.completed", "demo.completed"],
  };
  for (const [email, types] of Object.entries(journeys)) {
    for (const [index, type] of types.entries()) {
      await post(genericPayload({ email, type, eventId: `${email}-${index}`, occurredAt: new Date().toISOString() }));
    }
  }
  chromium = await launchBrowser();
  browser = chromium.context;
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await ripen?.stop();
});

const watchedPage = () => watchedPageOf(browser, ripen.url);

describe("the funnel page in a real browser", () => {
  it("draws the funnel the API reports, with nothing loaded from elsewhere and no script errors", async () => {
    // Prepare
    const api = (await (await fetch(`${ripen.url}/funnel?from=${today}&to=${today}`)).json()) as FunnelView;
    expect(api.total.stages[0]?.entered).toBe(3);
    const { page, problems, elsewhere } = await watchedPage();

    // Act
    const response = await page.goto(`${ripen.url}/funnel/view?from=${today}&to=${today}`);
    await page.waitForSelector("body[data-ready=true]");

    // Assess
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
    const bars = await page.$$eval("#funnel-chart rect.bar", (rects) =>
      rects.map((rect) => ({
        stage: rect.getAttribute("data-stage"),
        entered: Number(rect.getAttribute("data-entered")),
        width: Number(rect.getAttribute("width")),
      })),
    );
    expect(bars.map((bar) => bar.stage)).toEqual(["lead", "mql", "sal", "sql", "sqo"]);
    expect(bars.map((bar) => bar.entered)).toEqual(api.total.stages.map((stage) => stage.entered));
    // Widths follow the counts: the widest bar is the stage most leads entered.
    for (const bar of bars) {
      if (bar.entered > 0)
        expect(bar.width / bar.entered).toBeCloseTo((bars[0]?.width ?? 0) / (bars[0]?.entered ?? 1), 5);
    }
    expect(await page.textContent("#summary")).toContain(`${api.total.leads} leads`);
    expect(await page.$$eval("#funnel-table tbody tr", (rows) => rows.length)).toBe(5);
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.close();
  });

  it("switches segments when grouped, and reloads with the form", async () => {
    const page = await browser.newPage();
    await page.goto(`${ripen.url}/funnel/view?from=${today}&to=${today}&by=month`);
    await page.waitForSelector("body[data-ready=true]");

    const tabs = await page.$$eval("#segment-tabs button", (buttons) => buttons.map((button) => button.textContent));
    expect(tabs).toEqual(["all", today.slice(0, 7)]);
    await page.click("#segment-tabs button:nth-child(2)");
    expect(await page.getAttribute("#segment-tabs button:nth-child(2)", "aria-pressed")).toBe("true");
    expect(await page.$$eval("#funnel-chart rect.bar", (rects) => rects.length)).toBe(5);

    await page.selectOption("select[name=by]", "");
    await Promise.all([page.waitForURL(/\/funnel\/view\?/), page.click("form button[type=submit]")]);
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.$$eval("#segment-tabs button", (buttons) => buttons.length)).toBe(0);
    await page.close();
  });

  it("says so when a range holds no stage changes", async () => {
    const page = await browser.newPage();
    await page.goto(`${ripen.url}/funnel/view?from=2020-01-01&to=2020-01-31`);
    await page.waitForSelector("body[data-ready=true]");

    expect(await page.textContent("#summary")).toBe("No stage changes between 2020-01-01 and 2020-01-31.");
    const entered = await page.$$eval("#funnel-chart rect.bar", (rects) =>
      rects.map((rect) => rect.getAttribute("data-entered")),
    );
    expect(entered).toEqual(["0", "0", "0", "0", "0"]);
    await page.close();
  });
});

/** A calibration of known-truth leads, every rule priced at 10 points today, as the CLI would keep it. */
function knownTruthCalibration() {
  const rules = B2B_SCENARIO.rules.map((rule) => ({ id: rule.name, points: 10 }));
  const leads = (count: number, seed: number): LeadFeatures[] => {
    const generated = generateKnownTruthLeads(B2B_SCENARIO, { count, seed });
    return generated.rows.map((row, index) => {
      const fired = rules.filter((_, column) => row[column] === 1);
      return {
        leadId: `l${index}`,
        positive: generated.labels[index] === 1,
        score: fired.length * 10,
        contributions: Object.fromEntries(fired.map((rule) => [rule.id, 10])),
        attributes: {},
      };
    });
  };
  const report = calibrate({ train: leads(3_000, 1), holdout: leads(1_000, 2), modelRules: rules });
  return {
    at: "2026-12-01T09:00:00.000Z",
    modelVersion: "test-<v1>",
    label: "won" as const,
    leads: 5_000,
    unlabelled: 1_000,
    report,
  };
}

describe("the calibration page in a real browser", () => {
  it("says how to calibrate before there is a calibration, then shows the latest one", async () => {
    // Prepare
    const { page, problems, elsewhere } = await watchedPage();

    // Act: before any calibration.
    const empty = await page.goto(`${ripen.url}/calibration/view`);
    const emptyText = await page.textContent("#summary");
    const stored = knownTruthCalibration();
    const client = localDynamoDbClient(inject("dynamodbEndpoint") ?? "");
    await dynamoCalibrationReports({ client, tableName: ripen.tableName }).save(stored);
    client.destroy();
    const shown = await page.goto(`${ripen.url}/calibration/view`);

    // Assess
    expect(empty?.status()).toBe(200);
    expect(emptyText).toContain("No calibration yet");
    expect(shown?.status()).toBe(200);
    expect(shown?.headers()["content-security-policy"]).toContain("default-src 'none'");
    expect(await page.textContent("#summary")).toContain("Model test-<v1>");
    expect(await page.$$eval("#metrics tbody tr", (rows) => rows.length)).toBe(5);
    expect(await page.$$eval("#chart svg path.gains", (paths) => paths.length)).toBe(2);
    expect(await page.$$eval("#chart svg rect.band", (bars) => bars.length)).toBe(
      stored.report.holdout.curves.current.bands.length + stored.report.holdout.curves.calibrated.bands.length,
    );
    expect(await page.$$eval("#suggestions tbody tr", (rows) => rows.length)).toBe(stored.report.suggestions.length);
    // The calibrated ROC-AUC, as the report has it, is the one marked better.
    expect(await page.textContent("#metrics tbody tr:first-child td.better")).toBe(
      stored.report.holdout.calibrated.rocAuc.toFixed(3),
    );
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.close();
  });
});
