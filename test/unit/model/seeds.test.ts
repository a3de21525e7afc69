import { describe, expect, it } from "vitest";
import { defaultEngine, journey, stored } from "./journeys";

// The seeds' own examples of an SQL, an MQL and a plain lead, replayed through the default model.
const engine = defaultEngine();

describe("the default model reproduces the seeds' examples", () => {
  it("startup: free trial, completed demo and a shared budget → sql", () => {
    const { lead, stages } = journey(engine, [
      stored({ type: "trial.started", at: "2026-03-02T09:00:00Z", attributes: { companySize: 35 } }),
      stored({
        type: "form.submitted",
        at: "2026-03-03T09:00:00Z",
        properties: { formTitle: "Book a demo" },
        answers: { "What's your budget for this?": "$10k–$25k a year" },
      }),
      stored({ type: "demo.scheduled", at: "2026-03-03T09:05:00Z" }),
      stored({ type: "demo.completed", at: "2026-03-06T15:00:00Z" }),
    ]);

    expect(lead.stage).toBe("sql");
    expect(stages.at(-1)).toBe("sql");
    expect(lead.bant.budget).toMatchObject({ value: "$10k–$25k a year", satisfied: true });
  });

  it("startup: a decision timeline instead of a budget is enough", () => {
    const { lead } = journey(engine, [
      stored({ type: "trial.started", at: "2026-03-02T09:00:00Z" }),
      stored({ type: "demo.completed", at: "2026-03-04T15:00:00Z" }),
      stored({
        type: "form.submitted",
        at: "2026-03-04T16:00:00Z",
        properties: { formTitle: "Demo follow-up" },
        answers: { "When do you plan to decide?": "This quarter" },
      }),
    ]);

    expect(lead.stage).toBe("sql");
    expect(lead.bant.timing).toMatchObject({ value: "This quarter", satisfied: true });
  });

  it("startup: trial and demo without budget or timeline stay mql", () => {
    const { lead } = journey(engine, [
      stored({ type: "trial.started", at: "2026-03-02T09:00:00Z" }),
      stored({ type: "demo.completed", at: "2026-03-04T15:00:00Z" }),
    ]);

    expect(lead.stage).toBe("mql");
  });

  it("consulting: webinar, workshop and a request for a tailored proposal → sql", () => {
    const { lead, stages } = journey(engine, [
      stored({ type: "webinar.registered", at: "2026-04-01T08:00:00Z", source: "zoom" }),
      stored({ type: "webinar.attended", at: "2026-04-08T17:00:00Z", properties: { durationMinutes: 52 } }),
      stored({ type: "workshop.attended", at: "2026-04-15T12:00:00Z" }),
      stored({ type: "form.submitted", at: "2026-04-16T10:00:00Z", properties: { formTitle: "Request a proposal" } }),
    ]);

    expect(lead.stage).toBe("sql");
    expect(stages).toEqual(["lead", "mql", "sql"]);
  });

  it("consulting: a proposal request with no engagement before it is mql, not sql", () => {
    const { lead } = journey(engine, [stored({ type: "proposal.requested", at: "2026-04-16T10:00:00Z" })]);

    expect(lead.stage).toBe("mql");
  });

  it("agency: several gated assets, the contact form and a stated need → sql", () => {
    const { lead, stages } = journey(engine, [
      stored({
        type: "form.submitted",
        at: "2026-05-01T10:00:00Z",
        properties: { formName: "Whitepaper: SEO in 2026" },
      }),
      stored({ type: "form.submitted", at: "2026-05-05T10:00:00Z", properties: { formName: "Ebook – paid social" } }),
      stored({ type: "content.downloaded", at: "2026-05-09T10:00:00Z", properties: { asset: "Agency checklist" } }),
      stored({
        type: "form.submitted",
        at: "2026-05-12T10:00:00Z",
        source: "webflow",
        properties: { formName: "Contact us" },
        answers: { "How can we help?": "We need a partner to run our paid campaigns" },
      }),
    ]);

    expect(lead.stage).toBe("sql");
    expect(stages).toEqual(["mql", "sql"]);
    expect(lead.bant.need).toMatchObject({ satisfied: true });
  });

  it("agency: the same journey without a stated need stays mql", () => {
    const { lead } = journey(engine, [
      stored({ type: "form.submitted", at: "2026-05-01T10:00:00Z", properties: { formName: "Whitepaper" } }),
      stored({ type: "form.submitted", at: "2026-05-05T10:00:00Z", properties: { formName: "Ebook" } }),
      stored({ type: "form.submitted", at: "2026-05-12T10:00:00Z", properties: { formName: "Contact us" } }),
    ]);

    expect(lead.stage).toBe("mql");
  });

  it("a whitepaper download and nothing more → mql", () => {
    const { lead, stages } = journey(engine, [
      stored({
        type: "form.submitted",
        at: "2026-06-01T10:00:00Z",
        properties: { formTitle: "Download the whitepaper" },
      }),
    ]);

    expect(stages).toEqual(["mql"]);
    expect(lead.stage).toBe("mql");
    expect(lead.score).toBe(50);
  });

  it("joining the newsletter and nothing more → lead", () => {
    const { lead, stages } = journey(engine, [
      stored({ type: "form.submitted", at: "2026-06-01T10:00:00Z", properties: { formName: "Newsletter signup" } }),
    ]);

    expect(stages).toEqual(["lead"]);
    expect(lead.stage).toBe("lead");
    expect(lead.score).toBe(5);
  });
});
