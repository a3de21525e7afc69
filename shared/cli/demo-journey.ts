import { type CalendlyPayload, signCalendly } from "#shared/adapters/sources/calendly";
import { type GoToWebinarPayload, gotowebinarQuery } from "#shared/adapters/sources/gotowebinar";
import { type LivestormPayload, livestormQuery } from "#shared/adapters/sources/livestorm";
import { signTypeform, type TypeformPayload } from "#shared/adapters/sources/typeform";
import { signZoom, type ZoomPayload } from "#shared/adapters/sources/zoom";

/** The webinar tool a journey registers and attends with. */
export const WEBINAR_TOOLS = ["zoom", "livestorm", "gotowebinar"] as const;
export type WebinarTool = (typeof WEBINAR_TOOLS)[number];

/** The senders a journey posts as: each needs its secret (RIPEN_SECRET_<NAME>). */
export type JourneySource = "typeform" | "calendly" | WebinarTool;

export interface Step {
  title: string;
  source: JourneySource;
  body: object;
  /** The headers the sender signs with (none for the senders given a token in their URL). */
  sign(secret: string, rawBody: string, now: Date): Record<string, string>;
  /** The query string of the URL the sender is given (its secret token), if any. */
  query?(secret: string): string;
  /** The body as the sender writes it, when that is not JSON.stringify's. */
  serialize?(body: object): string;
}

/**
 * One buyer's journey: a "Talk to sales" Typeform with budget and timeline, a webinar registration and
 * 45 minutes of attendance in the chosen tool, then a Calendly demo booking.
 */
export function journey(run: string, email: string, now: Date, webinarTool: WebinarTool = "zoom"): Step[] {
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
  const withZoom = zoomJourney(run, email, now, minutesAgo);
  const [typeform, , , calendly] = withZoom;
  const webinar =
    webinarTool === "zoom"
      ? withZoom.slice(1, 3)
      : webinarTool === "livestorm"
        ? livestormSteps(run, email, now)
        : gotowebinarSteps(run, email, minutesAgo);
  return [typeform as Step, ...webinar, calendly as Step];
}

function zoomJourney(run: string, email: string, now: Date, minutesAgo: (minutes: number) => string): Step[] {
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

/** A Livestorm registration the day before and the attendance, posted to one URL per trigger. */
function livestormSteps(run: string, email: string, now: Date): Step[] {
  const seconds = (minutesAgo: number) => Math.floor((now.getTime() - minutesAgo * 60_000) / 1000);
  const session = `demo-session-${run}`;
  const person = (updatedMinutesAgo: number, attended: boolean): LivestormPayload => ({
    data: {
      id: `demo-person-${run}`,
      type: "people",
      attributes: {
        role: "participant",
        created_at: seconds(100),
        updated_at: seconds(updatedMinutesAgo),
        first_name: "Ada",
        last_name: "Example",
        email,
        registrant_detail: {
          event_id: `demo-event-${run}`,
          session_id: session,
          created_at: seconds(100),
          fields: [
            { id: "company", label: "Company", value: "Example Analytics" },
            { id: "job_title", label: "Job title", value: "Head of Operations" },
            { id: "company_size", label: "Company size", value: "51-100" },
            { id: "purchase_role", label: "Role in purchase process", value: "Decision Maker" },
            { id: "time_frame", label: "Purchasing time frame", value: "Within a month" },
          ],
          utm_source: "newsletter",
          attended,
          attendance_rate: attended ? 90 : 0,
          attendance_duration: attended ? 45 * 60 : 0,
        },
      },
    },
  });
  return [
    {
      title: "Livestorm: registered for the webinar",
      source: "livestorm",
      body: person(100, false),
      sign: () => ({}),
      query: (secret) => livestormQuery(secret, "people.registered"),
    },
    {
      title: "Livestorm: attended the webinar for 45 minutes",
      source: "livestorm",
      body: person(30, true),
      sign: () => ({}),
      query: (secret) => livestormQuery(secret, "people.attended"),
    },
  ];
}

/** A GoToWebinar registration and the registrant joining, with GoTo's keys above 2^53. */
function gotowebinarSteps(run: string, email: string, minutesAgo: (minutes: number) => string): Step[] {
  // A run's keys differ in their last digits; as text, since they are beyond what a double holds.
  const digits = String(Number.parseInt(run, 36) % 1_000_000).padStart(6, "0");
  const registrant = (eventName: GoToWebinarPayload["eventName"], at: string): GoToWebinarPayload => ({
    eventName,
    eventVersion: "1.0.0",
    product: "g2w",
    eventKey: `demo-${eventName}-${run}`,
    webinarKey: `4511665432126${digits}`,
    registrantKey: `24576065432313${digits}`,
    webinarTitle: "Lead scoring that sales trusts",
    firstName: "Ada",
    lastName: "Example",
    email,
    organization: "Example Analytics",
    jobTitle: "Head of Operations",
    numberOfEmployees: "51-100",
    purchasingRole: "Decision Maker",
    purchasingTimeFrame: "Within a month",
    registrationDate: minutesAgo(100),
    timestamp: at,
  });
  // GoTo writes its keys as JSON numbers, digits beyond 2^53 included.
  const serialize = (body: object) => JSON.stringify(body).replace(/"(webinarKey|registrantKey)":"(\d+)"/g, '"$1":$2');
  return [
    {
      title: "GoToWebinar: registered for the webinar",
      source: "gotowebinar",
      body: registrant("registrant.added", minutesAgo(100)),
      sign: () => ({}),
      query: gotowebinarQuery,
      serialize,
    },
    {
      title: "GoToWebinar: joined the webinar",
      source: "gotowebinar",
      body: registrant("registrant.joined", minutesAgo(75)),
      sign: () => ({}),
      query: gotowebinarQuery,
      serialize,
    },
  ];
}

/** What Ripen answered to each step, in order. */
export interface Replayed {
  step: Step;
  status: number;
  answer: Record<string, unknown>;
}

/**
 * Posts the steps in order to Ripen at `baseUrl`, each signed with its sender's secret; stops at the first
 * answer that is not a 2xx (it is the last one returned).
 */
export async function replayJourney(
  baseUrl: string,
  steps: readonly Step[],
  secrets: Readonly<Record<JourneySource, string>>,
): Promise<Replayed[]> {
  const replayed: Replayed[] = [];
  for (const step of steps) {
    const rawBody = step.serialize?.(step.body) ?? JSON.stringify(step.body);
    const secret = secrets[step.source];
    const query = step.query?.(secret);
    const response = await fetch(`${baseUrl}/webhooks/${step.source}${query ? `?${query}` : ""}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...step.sign(secret, rawBody, new Date()) },
      body: rawBody,
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    replayed.push({ step, status: response.status, answer });
    if (!response.ok) break;
  }
  return replayed;
}
