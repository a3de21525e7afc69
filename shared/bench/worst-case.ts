import type { GenericPayload } from "#shared/adapters/sources/generic";
import type { BenchLead } from "./webhooks";

type Step = Pick<GenericPayload, "type" | "properties" | "answers" | "attributes">;

/** Answers that set every attribute the default model maps, with typical (not maximal) values. */
const ANSWERS = {
  "first name": "Alexandra",
  "last name": "Papadopoulou-Schmidt",
  "job title": "Vice President of Revenue Operations",
  seniority: "Executive",
  "role in purchase process": "Decision maker",
  "company size": 850,
  budget: "between 40k and 60k a year",
  timeline: "this quarter, before the fiscal year ends",
  need: "route sales-ready leads to the right rep within minutes and explain every score",
  industry: "software",
  country: "Germany",
  website: "https://www.example-enterprise-company.com",
};

const times = (count: number, step: (index: number) => Step): Step[] =>
  Array.from({ length: count }, (_, i) => step(i));

/** One round that fills every capped rule of the default model and every window ring, and every watcher. */
function round(tag: string): Step[] {
  return [
    { type: "form.submitted", properties: { formTitle: "Newsletter", campaign: `autumn-webinar-${tag}` } },
    ...times(20, (i) => ({
      type: "page.viewed",
      properties: { path: `/blog/a-rather-long-article-slug-${tag}-${i}`, campaign: "autumn-webinar" },
    })),
    ...times(3, (i) => ({ type: "page.viewed", properties: { path: `/pricing?plan=${i}` } })),
    { type: "page.viewed", properties: { path: "/careers" } },
    ...times(5, (i) => ({ type: "content.downloaded", properties: { title: `Guide ${i}` } })),
    ...times(5, (i) => ({ type: "file.downloaded", properties: { title: `File ${i}` } })),
    { type: "form.submitted", properties: { formTitle: "Contact sales" }, answers: ANSWERS },
    ...times(2, (i) => ({ type: "form.submitted", properties: { formTitle: `Event signup ${i}` }, answers: ANSWERS })),
    { type: "webinar.registered", properties: {} },
    ...times(3, () => ({ type: "webinar.attended", properties: { durationMinutes: 45 } })),
    { type: "workshop.attended", properties: {} },
    { type: "trial.started", properties: {} },
    { type: "demo.scheduled", properties: {} },
    { type: "demo.completed", properties: {} },
    { type: "demo.no_show", properties: {} },
    { type: "proposal.requested", properties: {} },
    { type: "email.unsubscribed", properties: {} },
    { type: "opportunity.lost", properties: {} },
    { type: "opportunity.created", properties: {} },
  ];
}

/**
 * A journey built to give the default model's largest lead item: every capped rule full and every
 * window ring full (all inside one 30-day window), every mapped attribute set; then the lead is
 * disqualified (a student) and does it all again, so its "since leaving the funnel" scope fills too.
 * Events 10 minutes apart from `start`. The fold keeps the largest lead seen along the way.
 */
export function worstCaseJourney(lead: BenchLead, start: Date): { bodies: string[]; note: string } {
  const steps: Step[] = [
    ...round("a"),
    { type: "form.submitted", properties: { formTitle: "Update your profile" }, answers: { "job title": "Student" } },
    ...round("b"),
  ];
  const bodies = steps.map((step, index) => {
    const payload: GenericPayload = {
      ...step,
      eventId: `worst-${index}`,
      occurredAt: new Date(start.getTime() + index * 10 * 60_000).toISOString(),
      email: lead.email,
      name: lead.name,
      company: lead.company,
    };
    return JSON.stringify(payload);
  });
  return {
    bodies,
    note:
      "every capped rule and window ring of ripen.model.yaml full, twice (in the funnel, then since a " +
      "disqualification), every mapped attribute set with typical values; a sender can still make any " +
      "lead larger with long attribute values (up to 50 of 2 KB each), which the model does not bound",
  };
}
