import type { GenericPayload } from "#shared/adapters/sources/generic";
import { signGeneric } from "#shared/adapters/sources/generic";
import type { WebhookRequest } from "#shared/application/ports/webhook-source";
import { DEVELOPMENT_ID_KEY, pseudonyms } from "#shared/domain/pseudonyms";

/** The generic source's secret in every benchmark run (a local table, never a deployment). */
export const BENCH_SECRET = "bench-generic-secret";

/** Lead ids and event keys as the local runtime the benchmarks start computes them (the development key). */
export const BENCH_PSEUDONYMS = pseudonyms(DEVELOPMENT_ID_KEY);
export const benchLeadId = (email: string) => BENCH_PSEUDONYMS.leadId(email);

/**
 * One lead's way through the default model, a step per webhook:
 * newsletter → lead (a new lead: stage change from nothing), blog and pricing views (no stage change),
 * a whitepaper → mql, then a form with budget, timeline and need → sql (an alert).
 */
export const JOURNEY = ["newsletter", "blog", "pricing", "whitepaper", "budget"] as const;
export type JourneyStep = (typeof JOURNEY)[number];

const STEPS: Record<JourneyStep, Pick<GenericPayload, "type" | "answers" | "properties" | "attributes">> = {
  newsletter: {
    type: "form.submitted",
    properties: { formTitle: "Newsletter", campaign: "autumn-webinar", path: "/blog/lead-scoring" },
    attributes: { companySize: 120, industry: "software", country: "DE", jobTitle: "Head of Marketing" },
  },
  blog: { type: "page.viewed", properties: { path: "/blog/what-is-an-sql", campaign: "autumn-webinar" } },
  pricing: { type: "page.viewed", properties: { path: "/pricing", referrer: "https://www.google.com/" } },
  whitepaper: {
    type: "content.downloaded",
    properties: { title: "The lead scoring guide", path: "/resources/lead-scoring-guide" },
  },
  budget: {
    type: "form.submitted",
    properties: { formTitle: "Pricing question", path: "/pricing" },
    answers: {
      budget: "50k a year",
      timeline: "this quarter",
      need: "route sales-ready leads to the right rep within minutes",
      "how did you hear about us": "a colleague",
    },
  },
};

export interface BenchLead {
  email: string;
  name: string;
  company: string;
}

export function benchLead(run: string, index: number): BenchLead {
  return {
    email: `lead-${index}@${run}.example.com`,
    name: `Bench Lead ${index}`,
    company: `Bench Company ${index % 97}`,
  };
}

/** A generic-source body for one step of a lead's journey. `eventId` is the sender's dedupe key. */
export function journeyWebhook(lead: BenchLead, step: JourneyStep, eventId: string, occurredAt: Date): string {
  const payload: GenericPayload = {
    ...STEPS[step],
    eventId,
    occurredAt: occurredAt.toISOString(),
    email: lead.email,
    name: lead.name,
    company: lead.company,
  };
  return JSON.stringify(payload);
}

/** A page view with its own path, to grow a lead's history without moving its stage. */
export function pageViewWebhook(lead: BenchLead, eventId: string, occurredAt: Date, page: number): string {
  const payload: GenericPayload = {
    type: "page.viewed",
    eventId,
    occurredAt: occurredAt.toISOString(),
    email: lead.email,
    properties: { path: `/blog/post-${page}`, campaign: "autumn-webinar" },
  };
  return JSON.stringify(payload);
}

/** The headers a sender adds to a generic body, signed now. */
export function signedHeaders(body: string, now: number = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    "content-type": "application/json",
    "x-ripen-timestamp": String(timestamp),
    "x-ripen-signature": signGeneric(BENCH_SECRET, timestamp, body),
  };
}

/** The delivery as the ingest use case receives it. */
export function webhookRequest(body: string, now: number = Date.now()): WebhookRequest {
  return {
    method: "POST",
    rawBody: Buffer.from(body),
    headers: signedHeaders(body, now),
    path: "/webhooks/generic",
    rawQueryString: "",
  };
}
