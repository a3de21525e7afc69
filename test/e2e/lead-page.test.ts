import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { journey } from "#shared/cli/demo-journey";
import { linkExpiry, signLink } from "#shared/domain/links";
import { startRipen } from "#shared/local/runtime";
import { leadPagePath } from "#shared/runtime/links";
import { findChromium, launchBrowser, type TestBrowser, watchedPage as watchedPageOf } from "../support/browser";

/** The lead page a rep opens from an alert, in a real browser on a phone-sized screen. */

const SECRET = "lead-page-test-secret";
const LINK_KEY = "lead-page-test-link-key-0123456789abcdef";

let ripen: Awaited<ReturnType<typeof startRipen>>;
let browser: TestBrowser;
let leadId: string;

beforeAll(async () => {
  // First, so a machine without a browser hears the fix at once.
  findChromium();
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    inMemory: true,
    tableName: `e2e-lead-page-${Date.now()}`,
    env: {
      RIPEN_SECRET_TYPEFORM: SECRET,
      RIPEN_SECRET_ZOOM: SECRET,
      RIPEN_SECRET_CALENDLY: SECRET,
      RIPEN_LINK_KEY: LINK_KEY,
    },
    log: () => {},
  });
  // The demo's buyer: a Typeform with budget and timeline, a Zoom webinar, a Calendly booking → sql.
  for (const step of journey("PAGE", "ada.page@example.com", new Date())) {
    const rawBody = JSON.stringify(step.body);
    const response = await fetch(`${ripen.url}/webhooks/${step.source}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...step.sign(SECRET, rawBody, new Date()) },
      body: rawBody,
    });
    expect(response.status).toBe(200);
    leadId = ((await response.json()) as { leadId: string }).leadId;
  }
  browser = await launchBrowser({ width: 375, height: 740 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await ripen?.stop();
});

const linkFor = (rep: string) =>
  `${ripen.url}${leadPagePath(leadId, signLink(LINK_KEY, leadId, { scope: "lead", expiresAt: linkExpiry(new Date(), 7), rep }))}`;

const watchedPage = () => watchedPageOf(browser.context, ripen.url);

/** Every visible control and link smaller than 44 × 44 CSS pixels, by its text. */
const smallTargets = (page: Page) =>
  page.$$eval("a, button, input:not([type=hidden]), select", (elements) =>
    elements
      .map((element) => ({ element, box: element.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && (box.width < 44 || box.height < 44))
      .map(({ element, box }) => `${element.tagName} ${element.textContent?.trim()} ${box.width}×${box.height}`),
  );

describe("the lead page in a real browser", () => {
  it("shows the demo lead's explanation and timeline at 375 px, nothing loaded from elsewhere, no errors", async () => {
    // Prepare
    const api = (await (await fetch(`${ripen.url}/leads/${leadId}`)).json()) as {
      explanation: { hits: { ruleId: string }[] };
      timeline: unknown[];
    };
    const { page, problems, elsewhere } = await watchedPage();

    // Act
    const response = await page.goto(linkFor("ben"));

    // Assess
    expect(response?.status()).toBe(200);
    expect(await page.textContent("#stage")).toContain("SQL");
    const rules = await page.$$eval("#explanation li.hit", (items) =>
      items.map((item) => item.getAttribute("data-rule")),
    );
    expect([...rules].sort()).toEqual(api.explanation.hits.map((hit) => hit.ruleId).sort());
    // Each rule draws its raw and its decayed points, the decayed never longer than the raw.
    const bars = await page.$$eval("#explanation svg.bar", (svgs) =>
      svgs.map((svg) => [...svg.querySelectorAll("rect")].map((rect) => rect.getBoundingClientRect().width)),
    );
    expect(bars.length).toBe(rules.length);
    for (const [raw = 0, decayed = 0] of bars) {
      expect(raw).toBeGreaterThan(0);
      expect(decayed).toBeLessThanOrEqual(raw + 0.5);
    }
    const entries = await page.$$eval("#timeline li", (items) => items.map((item) => item.className));
    expect(entries.length).toBe(Math.min(20, api.timeline.length));
    expect(entries).toContain("transition");
    expect(entries).toContain("event");
    expect(await page.$eval("html", (root) => root.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await smallTargets(page)).toEqual([]);
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.close();
  });

  it("accepts the lead from the page, as the Slack button does, and a second click changes nothing", async () => {
    // Prepare
    const { page, problems } = await watchedPage();
    await page.goto(linkFor("ben"));
    const before = (await (await fetch(`${ripen.url}/leads/${leadId}`)).json()) as { transitions: unknown[] };

    // Act: the button, then the same form sent again (a double tap, a resend after a lost answer).
    const form = await page.$eval("form:has(input[value=accept])", (element) => {
      const fields = new URLSearchParams();
      for (const input of element.querySelectorAll("input")) fields.set(input.name, input.value);
      return fields.toString();
    });
    await Promise.all([page.waitForURL(/\?done=accepted$/), page.click("button[value=accept]")]);
    const again = await fetch(page.url().replace(/\?.*$/, ""), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
      redirect: "manual",
    });

    // Assess
    expect(await page.textContent(".done")).toContain("Accepted");
    expect(await page.textContent("#owner")).toBe("Ben Okafor");
    expect(await page.$("button[value=accept]")).toBeNull();
    expect(again.status).toBe(303);
    const after = (await (await fetch(`${ripen.url}/leads/${leadId}`)).json()) as {
      lead: { owner?: { id: string }; acceptedAt?: string; version: number };
      transitions: unknown[];
    };
    expect(after.lead.owner?.id).toBe("ben");
    expect(after.lead.acceptedAt).toBeDefined();
    // A sql lead keeps its stage when accepted (as from Slack): the owner is recorded, no transition.
    expect(after.transitions).toEqual(before.transitions);
    expect(await page.$eval("html", (root) => root.scrollWidth)).toBeLessThanOrEqual(375);
    expect(problems).toEqual([]);
    await page.close();
  });
});
