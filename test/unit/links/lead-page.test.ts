import { describe, expect, it } from "vitest";
import type { LeadView, TimelineEntry } from "#shared/application/read-lead";
import { duration, leadPage, TIMELINE_PAGE_SIZE } from "#shared/runtime/lead-page";

const now = new Date("2026-12-01T12:00:00Z");
const MARKUP = `<img src=x onerror="alert(1)">&'`;

function event(index: number): TimelineEntry {
  return {
    kind: "event",
    at: new Date(Date.UTC(2026, 10, 1, 0, index)).toISOString(),
    eventId: `evt-${index}`,
    source: "generic",
    type: index === 0 ? "form.submitted" : "page.viewed",
    receivedAt: now.toISOString(),
    properties: { path: index === 0 ? MARKUP : `/p/${index}` },
  };
}

function view(events = 45): LeadView {
  return {
    lead: {
      leadId: "ld_0123456789abcdef01234567",
      email: "ada@example.com",
      name: MARKUP,
      company: MARKUP,
      domain: "example.com",
      attributes: {},
      stage: "sql",
      stageEnteredAt: "2026-11-28T08:00:00Z",
      score: 70,
      fit: 20,
      engagement: 50,
      bant: {},
      createdAt: "2026-11-01T00:00:00Z",
      updatedAt: "2026-11-28T08:00:00Z",
      lastEventAt: "2026-11-28T08:00:00Z",
      eventCount: events,
      modelVersion: "test-1",
      version: 3,
    },
    explanation: {
      score: 70,
      fit: 20,
      engagement: 50,
      asOf: now.toISOString(),
      modelVersion: "test-1",
      hits: [
        { ruleId: "demo", axis: "engagement", label: MARKUP, hits: 2, points: 60, decayedPoints: 30 },
        { ruleId: "size", axis: "fit", label: "Company size", hits: 1, points: 20, decayedPoints: 20 },
        { ruleId: "student", axis: "fit", label: "Student", hits: 1, points: -10, decayedPoints: -10 },
      ],
    },
    bant: { budget: { value: MARKUP, satisfied: true, eventId: "evt-0" } },
    transitions: [],
    timeline: Array.from({ length: events }, (_, index) => event(index)),
  };
}

const render = (overrides: Partial<Parameters<typeof leadPage>[0]> = {}) =>
  leadPage({ view: view(), now, page: 1, actions: [], formNonce: "nonce", owners: [], ...overrides }, "csp-nonce");

describe("the lead page", () => {
  it("says how long a lead the SDR gate holds has waited, and why, escaped; nothing for other leads", () => {
    // Prepare
    const waiting = view();
    waiting.lead = {
      ...waiting.lead,
      stage: "mql",
      review: { since: "2026-11-30T12:00:00Z", ruleId: "demo", reason: MARKUP },
    };

    // Act
    const html = render({ view: waiting });
    const plain = render();

    // Assess
    expect(html).toMatch(/<dd id="review">SQL-ready for 24 h · &#60;img[^<]*\. Qualify or disqualify it\.<\/dd>/);
    expect(plain).not.toContain('id="review"');
  });

  it("escapes every value a sender chose: name, company, rule labels, BANT answers, event properties", () => {
    // Act
    const html = render({ page: 3 });

    // Assess
    expect(html).not.toContain("<img");
    expect(html.match(/&#60;img src=x onerror=&#34;alert\(1\)&#34;&#62;&#38;&#39;/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it("draws a bar per rule, the decayed part against the raw points, largest first", () => {
    // Act
    const html = render();
    const rules = [...html.matchAll(/data-rule="([^"]+)"/g)].map((match) => match[1]);
    const widths = [
      ...html.matchAll(/class="raw"[^>]*width="([\d.]+)"[^>]*><\/rect><rect class="decayed"[^>]*width="([\d.]+)"/g),
    ].map((match) => [Number(match[1]), Number(match[2])]);

    // Assess
    expect(rules).toEqual(["demo", "size", "student"]);
    expect(widths).toEqual([
      [100, 50],
      [33.33, 33.33],
      [16.67, 16.67],
    ]);
    expect(html).toContain('+30 <span class="muted">of +60</span>');
    expect(html).toMatch(/class="hit negative" data-rule="student"/);
  });

  it("says where each BANT answer came from, and what is unknown", () => {
    const html = render();
    expect(html).toMatch(/Budget<\/dt><dd>.*met.*from form\.submitted \(generic, 2026-11-01\)/);
    expect(html).toMatch(/Authority<\/dt><dd class="muted">unknown/);
  });

  it("pages the timeline newest first, with links to the newer and older pages", () => {
    // Act
    const first = render({ page: 1 });
    const last = render({ page: 3 });
    const beyond = render({ page: 9 });
    const times = (html: string) => [...html.matchAll(/<li class="event"><time datetime="([^"]+)"/g)].map((m) => m[1]);

    // Assess
    expect(times(first)).toHaveLength(TIMELINE_PAGE_SIZE);
    expect(times(first)[0]).toBe(event(44).at);
    expect(times(last)).toEqual([4, 3, 2, 1, 0].map((index) => event(index).at));
    expect(first).toContain('href="?page=2" rel="next"');
    expect(first).not.toContain('rel="prev"');
    expect(last).toContain('href="?page=2" rel="prev"');
    expect(last).not.toContain('rel="next"');
    expect(times(beyond)).toEqual(times(last));
  });

  it("offers only the actions it is given, accepting as the link's rep or asking which owner", () => {
    // Act
    const readOnly = render();
    const forRep = render({ actions: ["accept", "disqualify"], rep: { id: "ana", name: "Ana Lima", email: "" } });
    const forChannel = render({
      actions: ["accept"],
      owners: [{ id: "ben", name: MARKUP, email: "ben@example.com" }],
    });

    // Assess
    expect(readOnly).not.toContain("<form");
    expect([...forRep.matchAll(/name="action" value="(\w+)"/g)].map((match) => match[1])).toEqual([
      "accept",
      "disqualify",
    ]);
    expect(forRep).toContain("as Ana Lima");
    expect(forRep).toMatch(/<input name="reason" required maxlength="500"/);
    expect(forChannel).toMatch(
      /<select name="owner" required><option value="">choose…<\/option><option value="ben">&#60;img/,
    );
  });

  it("uses the response's nonce for its only style and has no script", () => {
    const html = render();
    expect(html).toContain('<style nonce="csp-nonce">');
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/ style="/);
  });
});

describe("time in stage", () => {
  it.each([
    ["2026-12-01T11:48:00Z", "12 min"],
    ["2026-12-01T07:00:00Z", "5 h"],
    ["2026-11-28T08:00:00Z", "3 d 4 h"],
    ["2026-12-02T00:00:00Z", "0 min"],
  ])("since %s is %s", (since, text) => {
    expect(duration(since, now)).toBe(text);
  });
});
