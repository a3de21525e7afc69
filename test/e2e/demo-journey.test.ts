import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type JourneySource, journey, replayJourney, type WebinarTool } from "#shared/cli/demo-journey";
import { startRipen } from "#shared/local/runtime";

/**
 * `npm run demo`'s journey, replayed over HTTP against the local runtime on DynamoDB Local with each
 * webinar tool: every step is taken, and the attendance lands on the lead from the tool that sent it.
 */
const SECRETS: Record<JourneySource, string> = {
  typeform: "demo-typeform-secret",
  calendly: "demo-calendly-secret",
  zoom: "demo-zoom-secret",
  livestorm: "demo-livestorm-token-0123456789",
  gotowebinar: "demo-gotowebinar-token-0123456789",
};

let ripen: Awaited<ReturnType<typeof startRipen>>;

beforeAll(async () => {
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    inMemory: true,
    tableName: `e2e-demo-${Date.now()}`,
    env: Object.fromEntries(
      Object.entries(SECRETS).map(([source, secret]) => [`RIPEN_SECRET_${source.toUpperCase()}`, secret]),
    ),
    pollIntervalMs: 100,
    log: () => {},
  });
});

afterAll(async () => {
  await ripen?.stop();
});

interface TimelineEntry {
  type: string;
  source: string;
  properties?: Record<string, unknown>;
}

describe.each(["livestorm", "gotowebinar", "zoom"] as WebinarTool[])("the demo journey with %s", (tool) => {
  it("takes every step and records the webinar attendance from that tool", async () => {
    const run = `${tool}${Date.now().toString(36)}`.toUpperCase();
    const email = `ada.${run.toLowerCase()}@example.com`;
    const steps = journey(run, email, new Date(), tool);
    expect(steps.map((step) => step.source)).toEqual(["typeform", tool, tool, "calendly"]);

    const replayed = await replayJourney(ripen.url, steps, SECRETS);
    expect(replayed.map(({ status }) => status)).toEqual([200, 200, 200, 200]);
    expect(replayed.map(({ answer }) => answer.duplicate)).toEqual([false, false, false, false]);

    const view = (await (await fetch(`${ripen.url}/leads/${encodeURIComponent(email)}`)).json()) as {
      lead: { stage: string };
      timeline: TimelineEntry[];
    };
    const attended = view.timeline.filter((entry) => entry.type === "webinar.attended");
    expect(attended).toHaveLength(1);
    expect(attended[0]?.source).toBe(tool);
    // The default model takes the lead to sql on this journey, whichever tool ran the webinar.
    expect(view.lead.stage).toBe("sql");
    expect(replayed.at(-1)?.answer.stage).toBe("sql");
  });
});
