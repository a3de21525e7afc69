import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createContext, runInContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { generic } from "#shared/adapters/sources/generic";
import type { WebhookRequest } from "#shared/application/ports/webhook-source";
import { InvalidSignatureError } from "#shared/domain/errors";
import { onlyEvent } from "./sources/support";

/**
 * The Apps Script in integrations/google-forms runs here as Google runs it, against shims of the Apps Script
 * services it calls. The HMAC shim reproduces Utilities.computeHmacSha256Signature's result: Java's signed
 * bytes, -128 to 127. What the script posts is then verified by Ripen's own generic source.
 */
const SCRIPT = readFileSync(new URL("../../integrations/google-forms/ripen.gs", import.meta.url), "utf8");
const SECRET = "google-forms-secret-ü";
const URL_TO_CALL = "https://api.example.com/webhooks/generic";
/** The time the script runs at (its Date.now()), and Ripen's clock when it receives the post. */
const SENT_AT = new Date("2026-11-20T12:00:00.000Z");
const context = { secret: SECRET, now: SENT_AT, toleranceSeconds: 300 };

/** Apps Script's Date, stopped at SENT_AT. */
class ScriptDate extends Date {
  static override now(): number {
    return SENT_AT.getTime();
  }
}

interface Fetched {
  url: string;
  options: { method: string; contentType: string; payload: string; headers: Record<string, string> };
}

/** Signed bytes, as Apps Script returns them (a Java byte[] seen from JavaScript). */
function signedBytes(value: string, key: string): number[] {
  return [...createHmac("sha256", Buffer.from(key, "utf8")).update(Buffer.from(value, "utf8")).digest()].map((byte) =>
    byte > 127 ? byte - 256 : byte,
  );
}

function loadScript(status = 200) {
  const fetched: Fetched[] = [];
  const hmacs: number[][] = [];
  const logs: string[] = [];
  const sandbox = createContext({
    Date: ScriptDate,
    PropertiesService: {
      getScriptProperties: () => ({
        getProperty: (name: string) => ({ RIPEN_URL: URL_TO_CALL, RIPEN_SECRET: SECRET })[name] ?? null,
      }),
    },
    Utilities: {
      Charset: { UTF_8: "UTF-8" },
      computeHmacSha256Signature(value: string, key: string, charset: string) {
        expect(charset).toBe("UTF-8");
        const bytes = signedBytes(value, key);
        hmacs.push(bytes);
        return bytes;
      },
    },
    UrlFetchApp: {
      fetch(url: string, options: Fetched["options"]) {
        fetched.push({ url, options });
        return { getResponseCode: () => status, getContentText: () => "{}" };
      },
    },
    console: { log: (line: string) => logs.push(line) },
  });
  runInContext(SCRIPT, sandbox);
  return {
    onFormSubmit: sandbox.onFormSubmit as (event: unknown) => void,
    ripenSignature: sandbox.ripenSignature as (secret: string, timestamp: number, body: string) => string,
    fetched,
    hmacs,
    logs,
  };
}

function item(title: string, response: unknown) {
  return { getItem: () => ({ getTitle: () => title }), getResponse: () => response };
}

function formSubmit(items: ReturnType<typeof item>[], respondentEmail = "") {
  return {
    source: { getTitle: () => "Talk to sales — Zürich" },
    response: {
      getId: () => "2_ABaOnudAnswer0123456789",
      getTimestamp: () => new Date("2026-11-20T11:59:00.000Z"),
      getRespondentEmail: () => respondentEmail,
      getItemResponses: () => items,
    },
  };
}

const ITEMS = [
  item("Work email", "greta@example.com"),
  item("Company", "Exämple Größe GmbH"),
  item("What budget have you set aside?", "€20k–€50k"),
  item("Which features matter?", ["Scoring", "Slack alerts"]),
  item("Anything else? 🙂", ""),
];

/** What the script posted, as Ripen's ingest function receives it. */
function received({ url, options }: Fetched): WebhookRequest {
  return {
    method: options.method.toUpperCase(),
    rawBody: Buffer.from(options.payload, "utf8"),
    headers: Object.fromEntries(
      Object.entries({ "content-type": options.contentType, ...options.headers }).map(([name, value]) => [
        name.toLowerCase(),
        value,
      ]),
    ),
    path: new URL(url).pathname,
    rawQueryString: "",
  };
}

describe("the Google Forms Apps Script against Ripen's verifier", () => {
  it("posts a form response that Ripen verifies and maps to form.submitted", () => {
    const script = loadScript();
    script.onFormSubmit(formSubmit(ITEMS));

    expect(script.fetched).toHaveLength(1);
    const request = received(script.fetched[0] as Fetched);
    expect(() => generic.verify(request, context)).not.toThrow();
    expect(onlyEvent(generic.toEvents(request, context))).toEqual({
      source: "generic",
      sourceEventId: "gforms-2_ABaOnudAnswer0123456789",
      type: "form.submitted",
      occurredAt: "2026-11-20T11:59:00.000Z",
      email: "greta@example.com",
      attributes: {},
      answers: {
        "Work email": "greta@example.com",
        Company: "Exämple Größe GmbH",
        "What budget have you set aside?": "€20k–€50k",
        "Which features matter?": ["Scoring", "Slack alerts"],
      },
      properties: { formTitle: "Talk to sales — Zürich" },
    });
  });

  it("was given signed bytes below zero and below 16, the two cases a naive hex conversion gets wrong", () => {
    const script = loadScript();
    script.onFormSubmit(formSubmit(ITEMS));
    const bytes = script.hmacs[0] as number[];
    expect(bytes).toHaveLength(32);
    expect(bytes.some((byte) => byte < 0)).toBe(true);
    expect(bytes.some((byte) => byte >= 0 && byte < 16)).toBe(true);
    expect(Math.min(...bytes)).toBeGreaterThanOrEqual(-128);
    expect(Math.max(...bytes)).toBeLessThanOrEqual(127);
  });

  it("would be refused had it written the signed bytes with byte.toString(16), as the shim reproduces them", () => {
    const script = loadScript();
    script.onFormSubmit(formSubmit(ITEMS));
    const request = received(script.fetched[0] as Fetched);
    const naive = (script.hmacs[0] as number[]).map((byte) => byte.toString(16)).join("");
    const forged = { ...request, headers: { ...request.headers, "x-ripen-signature": `v1=${naive}` } };
    expect(() => generic.verify(forged, context)).toThrow(InvalidSignatureError);
  });

  it("signs exactly as Ripen's documented construction: hex HMAC-SHA256 of {timestamp}.{body}", () => {
    const body = '{"email":"größe@example.com"}';
    expect(loadScript().ripenSignature(SECRET, 1795262326, body)).toBe(
      createHmac("sha256", SECRET).update(`1795262326.${body}`).digest("hex"),
    );
  });

  it("takes the respondent's collected email first, and sends nothing for a response without one", () => {
    const collected = loadScript();
    collected.onFormSubmit(formSubmit([item("Company", "Example")], "collected@example.com"));
    expect(JSON.parse((collected.fetched[0] as Fetched).options.payload)).toMatchObject({
      email: "collected@example.com",
    });

    const anonymous = loadScript();
    anonymous.onFormSubmit(formSubmit([item("Company", "Example")]));
    expect(anonymous.fetched).toHaveLength(0);
    expect(anonymous.logs).toEqual(["Ripen: the response has no email address; nothing sent"]);
  });

  it("cuts labels and texts to Ripen's bounds, so a long question is not refused", () => {
    const script = loadScript();
    script.onFormSubmit(formSubmit([item("Email", "long@example.com"), item("Q".repeat(300), "a".repeat(5000))]));
    const request = received(script.fetched[0] as Fetched);
    const event = onlyEvent(generic.toEvents(request, context));
    expect(event.answers?.["Q".repeat(128)]).toBe("a".repeat(2048));
  });

  it("fails the run on a temporary refusal, so Apps Script reports it", () => {
    const script = loadScript(503);
    expect(() => script.onFormSubmit(formSubmit(ITEMS))).toThrow(/503/);
  });
});
