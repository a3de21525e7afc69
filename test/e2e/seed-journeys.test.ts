import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startRipen } from "#shared/local/runtime";
import { GENERIC_SECRET } from "../support/generic";
import { postGeneric } from "../support/webhook-sender";

// The seeds' examples of an SQL, an MQL and a plain lead, sent over HTTP as a sender would, through
// the default model in ripen.model.yaml.

let ripen: Awaited<ReturnType<typeof startRipen>>;

beforeAll(async () => {
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    // Stream checkpoints and dead letters in a temporary directory, removed on stop.
    inMemory: true,
    tableName: `e2e-seeds-${Date.now()}`,
    env: { RIPEN_SECRET_GENERIC: GENERIC_SECRET },
    pollIntervalMs: 100,
    log: () => {},
  });
});

afterAll(async () => {
  await ripen?.stop();
});

interface Step {
  type: string;
  hoursAgo: number;
  properties?: Record<string, string | number>;
  answers?: Record<string, string>;
}

/** Sends the steps in order; returns the stage after each one. */
async function send(email: string, steps: Step[]): Promise<{ stages: string[]; leadId: string }> {
  const stages: string[] = [];
  let leadId = "";
  for (const [index, step] of steps.entries()) {
    const body = JSON.stringify({
      type: step.type,
      eventId: `${email}-${index}`,
      occurredAt: new Date(Date.now() - step.hoursAgo * 3_600_000).toISOString(),
      email,
      ...(step.properties && { properties: step.properties }),
      ...(step.answers && { answers: step.answers }),
    });
    const response = await postGeneric(ripen.url, body);
    expect(response.status).toBe(200);
    stages.push(String(response.body.stage));
    leadId = String(response.body.leadId);
  }
  return { stages, leadId };
}

describe("the seeds' journeys over HTTP", () => {
  it("startup: free trial, completed demo and a budget → sql, with an explanation that adds up", async () => {
    const { stages, leadId } = await send("founder@startup.example", [
      { type: "trial.started", hoursAgo: 72 },
      { type: "form.submitted", hoursAgo: 48, properties: { formTitle: "Book a demo" }, answers: { Budget: "$15k" } },
      { type: "demo.completed", hoursAgo: 1 },
    ]);

    expect(stages.at(-1)).toBe("sql");
    const view = (await (await fetch(`${ripen.url}/leads/${leadId}`)).json()) as {
      lead: { stage: string; bant: { budget?: { satisfied: boolean } } };
      explanation: { score: number; hits: { decayedPoints: number }[] };
    };
    expect(view.lead.stage).toBe("sql");
    expect(view.lead.bant.budget?.satisfied).toBe(true);
    const cents = view.explanation.hits.reduce((sum, hit) => sum + Math.round(hit.decayedPoints * 100), 0);
    expect(cents).toBe(Math.round(view.explanation.score * 100));
  });

  it("consulting: webinar, workshop and a proposal request → sql", async () => {
    const { stages } = await send("partner@consulting.example", [
      { type: "webinar.attended", hoursAgo: 240, properties: { durationMinutes: 50 } },
      { type: "workshop.attended", hoursAgo: 100 },
      { type: "proposal.requested", hoursAgo: 2 },
    ]);

    expect(stages).toEqual(["lead", "mql", "sql"]);
  });

  it("agency: several gated assets, the contact form and a stated need → sql", async () => {
    const { stages } = await send("ops@agency.example", [
      { type: "form.submitted", hoursAgo: 300, properties: { formName: "Whitepaper: paid social" } },
      { type: "form.submitted", hoursAgo: 200, properties: { formName: "Ebook: SEO" } },
      {
        type: "form.submitted",
        hoursAgo: 3,
        properties: { formName: "Contact us" },
        answers: { "What do you need?": "A partner for our campaigns" },
      },
    ]);

    expect(stages).toEqual(["mql", "mql", "sql"]);
  });

  it("a whitepaper only → mql; the newsletter only → lead", async () => {
    const whitepaper = await send("reader@company.example", [
      { type: "form.submitted", hoursAgo: 1, properties: { formTitle: "Whitepaper download" } },
    ]);
    const newsletter = await send("subscriber@company.example", [
      { type: "form.submitted", hoursAgo: 1, properties: { formTitle: "Newsletter" } },
    ]);

    expect(whitepaper.stages).toEqual(["mql"]);
    expect(newsletter.stages).toEqual(["lead"]);
  });
});
