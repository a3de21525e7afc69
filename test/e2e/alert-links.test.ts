import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AlertStub } from "../support/alert-stubs";
import { type AlertingRipen, startAlertingRipen } from "../support/alerting-ripen";
import { genericPayload } from "../support/generic";
import { postGeneric } from "../support/webhook-sender";

let running: AlertingRipen;

beforeAll(async () => {
  running = await startAlertingRipen("e2e-alert-links");
});
afterAll(async () => {
  await running?.stop();
});

/** The lead page links an alert stub took, in the order it took them (JSON escapes undone). */
const linksIn = (stub: AlertStub) =>
  stub
    .delivered()
    .flatMap((request) => [
      ...request.body.replaceAll("\\/", "/").matchAll(/https?:\/\/[^\s"'<>\\]+\/links\/leads\/[^\s"'<>\\]+/g),
    ])
    .map((match) => match[0]);

describe("alerts link to their lead's page", () => {
  it("the Slack alert and the email each carry a link that opens the page of the lead they are about", async () => {
    // Prepare: a person who shares a budget and completes a demo becomes sales-ready (the default model's sql).
    const email = "linked@example.com";
    const now = new Date().toISOString();
    let leadId = "";
    for (const [index, type] of ["form.submitted", "demo.scheduled", "demo.completed", "demo.completed"].entries()) {
      const body = genericPayload({
        email,
        name: "Linda Linked",
        type,
        eventId: `linked-${index}`,
        occurredAt: now,
        ...(index === 0 && { answers: { Budget: "$15k" } }),
      });
      const response = await postGeneric(running.ripen.url, JSON.stringify(body));
      expect(response.status).toBe(200);
      leadId = String(response.body.leadId);
    }

    // Act
    await vi.waitFor(
      () => {
        expect(linksIn(running.slack).length).toBeGreaterThan(0);
        expect(linksIn(running.ses).length).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 200 },
    );
    const links = [linksIn(running.slack).at(-1) ?? "", linksIn(running.ses).at(-1) ?? ""];

    // Assess
    for (const link of links) {
      expect(link.startsWith(`${running.ripen.url}/links/leads/${leadId}/`)).toBe(true);
      const response = await fetch(link);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("Linda Linked");
    }
  });
});
