import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { FUNNEL_SUBJECT, type LinkScope, linkExpiry, signLink } from "#shared/domain/links";
import { startRipen } from "#shared/local/runtime";
import { funnelPagePath, leadPagePath } from "#shared/runtime/links";
import { GENERIC_SECRET, genericPayload } from "../support/generic";
import { postGeneric } from "../support/webhook-sender";

/** The lead page and its actions, as a rep's browser uses them, on the local server and DynamoDB Local. */

const LINK_KEY = "lead-links-test-key-0123456789abcdef";
let ripen: Awaited<ReturnType<typeof startRipen>>;
/** Every line the server and the handlers wrote: the local server's log and the functions' stdout. */
const written: string[] = [];

beforeAll(async () => {
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    inMemory: true,
    tableName: `lead-links-${Date.now()}`,
    env: { RIPEN_SECRET_GENERIC: GENERIC_SECRET, RIPEN_LINK_KEY: LINK_KEY },
    log: (line) => written.push(line),
  });
}, 120_000);
afterAll(async () => {
  await ripen?.stop();
});

let people = 0;
/** A new lead made by a form from a person whose name is markup; its id. */
async function newLead(name = `<b>Ada</b> "${++people}"`): Promise<string> {
  const email = `link${people}-${Date.now()}@example.com`;
  const body = JSON.stringify(
    genericPayload({
      email,
      name,
      company: "Example <Ltd>",
      occurredAt: new Date().toISOString(),
      answers: { budget: "50k", timeline: "this quarter" },
    }),
  );
  const response = await postGeneric(ripen.url, body);
  expect(response.status).toBe(200);
  return (response.body as { leadId: string }).leadId;
}

const token = (subject: string, scope: LinkScope = "lead", options: { rep?: string; days?: number } = {}) =>
  signLink(LINK_KEY, subject, {
    scope,
    expiresAt: linkExpiry(new Date(), options.days ?? 7),
    ...(options.rep && { rep: options.rep }),
  });
const pageUrl = (leadId: string, linkToken: string) => `${ripen.url}${leadPagePath(leadId, linkToken)}`;

async function leadJson(leadId: string) {
  const response = await fetch(`${ripen.url}/leads/${leadId}`);
  expect(response.status).toBe(200);
  // The stored lead and its transitions (the explanation is evaluated at each read).
  const { lead, transitions } = (await response.json()) as {
    lead: { stage: string; version: number; owner?: { id: string } };
    transitions: { to: string; actor: { type: string; id: string } }[];
  };
  return { lead, transitions };
}

/** The fields of the page's form for `action`, as the browser would send them. */
function formOf(html: string, action: string): URLSearchParams {
  const form = [...html.matchAll(/<form method="post"[^>]*>([\s\S]*?)<\/form>/g)]
    .map((match) => match[1] ?? "")
    .find((inner) => inner.includes(`name="action" value="${action}"`));
  if (!form) throw new Error(`the page offers no ${action}`);
  const fields = new URLSearchParams();
  for (const [, name, value] of form.matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)">/g)) {
    fields.set(name ?? "", (value ?? "").replaceAll("&#43;", "+"));
  }
  return fields;
}

const post = (url: string, fields: URLSearchParams) =>
  fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
  });

describe("GET a lead's page through its link", () => {
  it("shows the lead, escaped, with its explanation, BANT and timeline, under a strict CSP", async () => {
    // Prepare
    const leadId = await newLead();

    // Act
    const response = await fetch(pageUrl(leadId, token(leadId, "lead", { rep: "ana" })));
    const html = await response.text();

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'; script-src 'nonce-[^']+'; style-src 'nonce-[^']+'/);
    expect(html).toContain("&#60;b&#62;Ada&#60;/b&#62;");
    expect(html).not.toContain("<b>Ada</b>");
    expect(html).toContain("Example &#60;Ltd&#62;");
    expect(html).toMatch(/<ul id="explanation"[\s\S]*<li class="hit/);
    expect(html).toMatch(/<dl id="bant"[\s\S]*50k[\s\S]*from form\.submitted \(generic/);
    expect(html).toMatch(/<ol id="timeline"[\s\S]*form\.submitted/);
    expect(html).toContain('name="action" value="accept"');
    expect(html).toContain("as Ana Lima");
  });

  it("refuses an altered token, another lead's token, an expired one, and a funnel token with 401", async () => {
    // Prepare
    const [leadId, otherId] = [await newLead(), await newLead()];
    const good = token(leadId);
    const altered = `${good.slice(0, -2)}${good.at(-2) === "A" ? "B" : "A"}${good.at(-1)}`;
    const expired = signLink(LINK_KEY, leadId, { scope: "lead", expiresAt: Math.floor(Date.now() / 1000) - 1 });

    // Act
    const responses = await Promise.all(
      [altered, token(otherId), expired, token(FUNNEL_SUBJECT, "funnel"), "not-a-token"].map((candidate) =>
        fetch(pageUrl(leadId, candidate)),
      ),
    );

    // Assess
    expect(responses.map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
    const [alteredPage, , expiredPage] = await Promise.all(responses.map((response) => response.text()));
    expect(alteredPage).toContain("This link does not open anything");
    expect(expiredPage).toContain("This link has expired");
    expect(alteredPage).not.toContain("Ada");
  });

  it("changes nothing, however often it is fetched", async () => {
    // Prepare
    const leadId = await newLead();
    const before = await leadJson(leadId);

    // Act
    for (const query of ["", "?page=2", "?done=accepted", "?action=accept"]) {
      expect((await fetch(`${pageUrl(leadId, token(leadId, "lead", { rep: "ana" }))}${query}`)).status).toBe(200);
    }

    // Assess
    expect(await leadJson(leadId)).toEqual(before);
  });

  it("shows an erased lead's link as no longer available", async () => {
    // Prepare
    const leadId = await newLead();
    expect((await fetch(`${ripen.url}/leads/${leadId}`, { method: "DELETE" })).status).toBe(200);

    // Act
    const response = await fetch(pageUrl(leadId, token(leadId)));

    // Assess
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("This lead is no longer available.");
  });
});

describe("POST an action from the page", () => {
  it("accepts the lead as the link's rep, once however often it is clicked, and logs no token", async () => {
    // Prepare
    const leadId = await newLead();
    const linkToken = token(leadId, "lead", { rep: "ana" });
    const url = pageUrl(leadId, linkToken);
    const write = process.stdout.write.bind(process.stdout);
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk, ...rest) => {
      written.push(String(chunk));
      return write(chunk, ...(rest as []));
    });

    // Act
    const fields = formOf(await (await fetch(url)).text(), "accept");
    const first = await post(url, fields);
    const second = await post(url, fields);
    stdout.mockRestore();

    // Assess
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(first.headers.get("location")).toMatch(/\?done=accepted$/);
    const after = await leadJson(leadId);
    expect(after.lead.stage).toBe("sal");
    expect(after.lead.owner?.id).toBe("ana");
    const accepted = after.transitions.filter((transition) => transition.to === "sal");
    expect(accepted).toEqual([expect.objectContaining({ actor: { type: "rep", id: "link:ana" } })]);
    const page = await (await fetch(`${url}?done=accepted`)).text();
    expect(page).toContain("Accepted: the lead is yours.");
    expect(page).not.toContain('name="action" value="accept"');
    // The server logged these requests (by route template) and the action (by lead id), never the token.
    expect(written.some((line) => line.includes("POST /links/leads/{id}/{token} 303"))).toBe(true);
    expect(written.some((line) => line.includes("rep action applied"))).toBe(true);
    for (const part of [linkToken, ...linkToken.split("."), fields.get("nonce") ?? "nonce"]) {
      expect(written.filter((line) => line.includes(part))).toEqual([]);
    }
  });

  it("disqualifies with the reason the rep wrote, and refuses one without", async () => {
    // Prepare
    const leadId = await newLead();
    const url = pageUrl(leadId, token(leadId, "lead", { rep: "ben" }));
    const fields = formOf(await (await fetch(url)).text(), "disqualify");

    // Act
    const refused = await post(url, fields);
    fields.set("reason", "No budget this year");
    const done = await post(url, fields);

    // Assess
    expect(refused.status).toBe(400);
    expect(done.status).toBe(303);
    const after = await leadJson(leadId);
    expect(after.lead.stage).toBe("disqualified");
    expect(after.transitions.at(-1)).toMatchObject({ to: "disqualified", actor: { id: "link:ben" } });
  });

  it("refuses a form without the page's nonce, or with another lead's, and a link that may only view", async () => {
    // Prepare
    const [leadId, otherId] = [await newLead(), await newLead()];
    const url = pageUrl(leadId, token(leadId, "lead", { rep: "ana" }));
    const otherUrl = pageUrl(otherId, token(otherId, "lead", { rep: "ana" }));
    const foreign = formOf(await (await fetch(otherUrl)).text(), "accept");
    const viewUrl = pageUrl(leadId, token(leadId, "lead:view", { rep: "ana" }));
    const viewPage = await (await fetch(viewUrl)).text();
    const before = await leadJson(leadId);

    // Act
    const noNonce = await post(url, new URLSearchParams({ action: "accept" }));
    const otherNonce = await post(url, foreign);
    const viewOnly = await post(viewUrl, foreign);
    const tampered = await post(pageUrl(otherId, token(leadId, "lead", { rep: "ana" })), foreign);

    // Assess
    expect([noNonce.status, otherNonce.status, viewOnly.status, tampered.status]).toEqual([400, 400, 401, 401]);
    expect(viewPage).not.toContain('method="post"');
    expect(await leadJson(leadId)).toEqual(before);
    expect((await leadJson(otherId)).lead.stage).not.toBe("sal");
  });

  it("answers a move the lead's stage forbids with 409 and the reason", async () => {
    // Prepare: a page shown, then the lead accepted from another page.
    const leadId = await newLead();
    const url = pageUrl(leadId, token(leadId, "lead", { rep: "ana" }));
    const stale = formOf(await (await fetch(url)).text(), "accept");
    expect((await post(url, formOf(await (await fetch(url)).text(), "accept"))).status).toBe(303);

    // Act
    const response = await post(url, stale);

    // Assess
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("Nothing was changed");
  });
});

describe("a funnel link", () => {
  it("opens the funnel page with a funnel token, and nothing else does", async () => {
    const good = await fetch(`${ripen.url}${funnelPagePath(token(FUNNEL_SUBJECT, "funnel", { days: 30 }))}`);
    expect(good.status).toBe(200);
    expect(await good.text()).toContain('id="funnel-chart"');
    const leadId = await newLead();
    const wrong = await fetch(`${ripen.url}${funnelPagePath(token(leadId))}`);
    expect(wrong.status).toBe(401);
  });
});
