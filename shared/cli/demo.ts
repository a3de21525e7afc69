import { resolve } from "node:path";
import { type CalendlyPayload, signCalendly } from "#shared/adapters/sources/calendly";
import { signTypeform, type TypeformPayload } from "#shared/adapters/sources/typeform";
import { signZoom, type ZoomPayload } from "#shared/adapters/sources/zoom";
import { DEVELOPMENT_SECRET } from "#shared/local/dev-secrets";
import { loadDotEnv } from "#shared/local/dotenv";
import { runWhenStarted } from "./command";
import { makeLink } from "./link";

/**
 * `npm run demo`: replays one buyer's journey against the running local Ripen, signed with the local
 * secrets (RIPEN_SECRET_TYPEFORM, _ZOOM, _CALENDLY from the environment or .env): a "Talk to sales"
 * Typeform with budget and timeline, a Zoom webinar attended for 45 minutes, then a Calendly demo
 * booking. The lead ripens step by step to sql, which sends the Slack alert.
 * Usage: npm run demo [-- <base URL>]   (default http://127.0.0.1:$PORT, PORT 3000)
 */
export interface Step {
  title: string;
  source: "typeform" | "zoom" | "calendly";
  body: object;
  sign(secret: string, rawBody: string, now: Date): Record<string, string>;
}

/** The demo's buyer: three deliveries from three tools, each signed as that tool signs. */
export function journey(run: string, email: string, now: Date): Step[] {
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
  const webinar = { uuid: `demo-webinar-${run}==`, id: "85712345678", topic: "Lead scoring that sales trusts" };
  const seconds = (at: Date) => Math.floor(at.getTime() / 1000);
  return [
    {
      title: "Typeform: Talk to sales, with a budget and a timeline",
      source: "typeform",
      body: typeformResponse(run, email, minutesAgo(120)),
      sign: (secret, rawBody) => signTypeform(secret, rawBody),
    },
    {
      title: "Zoom: registered for the webinar",
      source: "zoom",
      body: {
        event: "webinar.registration_created",
        event_ts: now.getTime() - 100 * 60_000,
        payload: {
          account_id: "demo-account",
          object: {
            ...webinar,
            registrant: {
              id: `registrant-${run}`,
              email,
              first_name: "Ada",
              last_name: "Example",
              org: "Example Analytics",
              job_title: "Head of Operations",
              no_of_employees: "51-100",
              purchasing_time_frame: "Within a month",
              role_in_purchase_process: "Decision Maker",
            },
          },
        },
      } satisfies ZoomPayload,
      sign: (secret, rawBody, at) => signZoom(secret, rawBody, seconds(at)),
    },
    {
      title: "Zoom: attended the webinar for 45 minutes",
      source: "zoom",
      body: {
        event: "webinar.participant_left",
        event_ts: now.getTime() - 30 * 60_000,
        payload: {
          account_id: "demo-account",
          object: {
            ...webinar,
            participant: {
              user_name: "Ada Example",
              email,
              registrant_id: `registrant-${run}`,
              participant_uuid: `participant-${run}`,
              join_time: minutesAgo(75),
              leave_time: minutesAgo(30),
              leave_reason: "left the webinar",
            },
          },
        },
      } satisfies ZoomPayload,
      sign: (secret, rawBody, at) => signZoom(secret, rawBody, seconds(at)),
    },
    {
      title: "Calendly: booked a demo",
      source: "calendly",
      body: calendlyBooking(run, email, now),
      sign: (secret, rawBody, at) => signCalendly(secret, rawBody, seconds(at)),
    },
  ];
}

function typeformResponse(run: string, email: string, submittedAt: string): TypeformPayload {
  const fields = [
    ["name", "What's your name?", "short_text", { type: "text", text: "Ada Example" }],
    ["email", "What's your work email?", "email", { type: "email", email }],
    ["company", "Company", "short_text", { type: "text", text: "Example Analytics" }],
    ["job_title", "Job title", "short_text", { type: "text", text: "Head of Operations" }],
    ["company_size", "How many employees?", "dropdown", { type: "choice", choice: { label: "51-200" } }],
    ["budget", "What budget have you set aside?", "dropdown", { type: "choice", choice: { label: "$20k-$50k" } }],
    ["timeline", "When do you want to go live?", "dropdown", { type: "choice", choice: { label: "This quarter" } }],
    [
      "need",
      "How can we help?",
      "long_text",
      { type: "text", text: "Our reps chase cold leads; we need scoring and alerts on our inbound forms" },
    ],
  ] as const;
  return {
    event_id: `demo-typeform-${run}`,
    event_type: "form_response",
    form_response: {
      form_id: "demoTalk",
      token: `demo-typeform-${run}`,
      submitted_at: submittedAt,
      hidden: { utm_source: "newsletter", utm_campaign: "demo" },
      definition: {
        id: "demoTalk",
        title: "Talk to sales",
        fields: fields.map(([ref, title, type], index) => ({ id: `field${index}`, ref, title, type })),
      },
      answers: fields.map(([ref, , type, answer], index) => ({ ...answer, field: { id: `field${index}`, type, ref } })),
    },
  };
}

function calendlyBooking(run: string, email: string, now: Date): CalendlyPayload {
  const event = `https://api.calendly.com/scheduled_events/DEMO${run}`;
  const start = new Date(now.getTime() + 2 * 86_400_000);
  return {
    event: "invitee.created",
    created_at: now.toISOString(),
    payload: {
      uri: `${event}/invitees/DEMO${run}`,
      email,
      name: "Ada Example",
      status: "active",
      timezone: "Europe/London",
      event,
      scheduled_event: {
        uri: event,
        name: "Ripen demo",
        start_time: start.toISOString(),
        end_time: new Date(start.getTime() + 30 * 60_000).toISOString(),
      },
      questions_and_answers: [{ question: "What would you like to see?", answer: "Routing and the Slack alert" }],
      tracking: { utm_source: "webinar", utm_campaign: "demo" },
    },
  };
}

async function main(): Promise<void> {
  await loadDotEnv(resolve(".env"));
  const baseUrl = (process.argv[2] ?? `http://127.0.0.1:${process.env.PORT || 3000}`).replace(/\/+$/, "");
  const secrets = { typeform: "", zoom: "", calendly: "" };
  const missing: string[] = [];
  for (const source of Object.keys(secrets) as (keyof typeof secrets)[]) {
    const name = `RIPEN_SECRET_${source.toUpperCase()}`;
    secrets[source] = process.env[name] || (process.env.RIPEN_DEV_SECRETS === "false" ? "" : DEVELOPMENT_SECRET);
    if (secrets[source] === "") missing.push(name);
  }
  if (missing.length > 0) {
    throw new Error(`set ${missing.join(", ")} (in the environment or .env) to the secrets \`npm start\` uses`);
  }

  const run = Date.now().toString(36).toUpperCase();
  const email = `ada.${run.toLowerCase()}@example.com`;
  console.log(`Replaying a buyer's journey for ${email} against ${baseUrl}\n`);
  let last: Record<string, unknown> = {};
  for (const step of journey(run, email, new Date())) {
    const rawBody = JSON.stringify(step.body);
    const response = await fetch(`${baseUrl}/webhooks/${step.source}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...step.sign(secrets[step.source], rawBody, new Date()) },
      body: rawBody,
    }).catch((error: unknown) => {
      throw new Error(`cannot reach Ripen at ${baseUrl} (is \`npm start\` running?): ${(error as Error).message}`);
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${step.title}: ${response.status} ${JSON.stringify(answer)}`);
    last = answer;
    console.log(`${step.title}\n  → ${response.status} stage ${answer.stage}, score ${answer.score}\n`);
  }
  const alert = process.env.SLACK_WEBHOOK_URL
    ? "the sales-ready alert is on its way to Slack"
    : "set SLACK_WEBHOOK_URL to receive the sales-ready alert in Slack";
  console.log(
    last.stage === "sql"
      ? `Lead ${last.leadId} is sql: ${alert}.`
      : `Lead ${last.leadId} ended at ${last.stage}; the model decides when a lead is sql (ripen.model.yaml).`,
  );
  console.log(`Its score, reasons and BANT: curl ${baseUrl}/leads/${last.leadId}`);
  if (last.stage === "sql") {
    // The alert `npm start` prints (or posts) carries the owner's link; this one asks who accepts.
    const page = await makeLink(
      { what: "lead", lead: String(last.leadId), view: false, days: 7, aws: false },
      { ...process.env, RIPEN_PUBLIC_URL: process.env.RIPEN_PUBLIC_URL || baseUrl },
    );
    console.log(`Its page, to accept, qualify, disqualify or recycle it from a browser: ${page}`);
  }
}

runWhenStarted(import.meta.url, "demo", async () => {
  await main();
  return 0;
});
