import type { Lead } from "../domain/lead";
import { foldLead } from "../domain/lead-fold";
import type { ScoringEngine, StoredEvent } from "../domain/scoring";
import { loadEngine } from "../runtime/engine";
import { benchLeadId } from "./webhooks";

export const SCORING_TARGET_EVENTS_PER_SECOND = 1_000_000;
const TOTAL_EVENTS = 1_000_000;
const EVENTS_PER_LEAD = 10;
const LEADS_PER_CHUNK = 1_000;

export interface ScoringResult {
  model: string;
  events: number;
  leads: number;
  eventsPerLead: number;
  /** The engine's replay of each lead's whole history into a snapshot (the replay fallback, rescore, preview). */
  fold: { seconds: number; eventsPerSecond: number };
  /** Ingest's work per event: foldLead of one event into the lead (snapshot fold, evaluation, stage decision). */
  evaluate: { seconds: number; eventsPerSecond: number };
  target: { eventsPerSecond: number; met: boolean };
}

/**
 * Fold throughput of the default model on one thread: 1M synthetic events (100,000 leads of 10 events of
 * mixed kinds), generated in small chunks outside the timed part (so collecting the generator's garbage
 * weighs little on the fold's clock), each lead folded from nothing as the write path folds a history.
 */
export function benchScoring(log: (line: string) => void): ScoringResult {
  const engine = loadEngine();
  const now = new Date("2026-11-24T12:00:00.000Z");
  const random = mulberry32(2026);
  // Warm the engine up on a chunk that is not timed.
  foldAll(engine, syntheticLeads(random, 2_000, now), now);
  let foldMs = 0;
  let evaluateMs = 0;
  for (let done = 0; done < TOTAL_EVENTS; done += LEADS_PER_CHUNK * EVENTS_PER_LEAD) {
    const leads = syntheticLeads(random, LEADS_PER_CHUNK, now);
    foldMs += foldAll(engine, leads, now);
    evaluateMs += evaluateAll(engine, leads, now);
  }
  log(`scoring: ${TOTAL_EVENTS.toLocaleString("en-US")} events folded`);
  const rate = (ms: number) => Math.round(TOTAL_EVENTS / (ms / 1000));
  const foldRate = rate(foldMs);
  return {
    model: engine.modelVersion,
    events: TOTAL_EVENTS,
    leads: TOTAL_EVENTS / EVENTS_PER_LEAD,
    eventsPerLead: EVENTS_PER_LEAD,
    fold: { seconds: Math.round(foldMs) / 1000, eventsPerSecond: foldRate },
    evaluate: { seconds: Math.round(evaluateMs) / 1000, eventsPerSecond: rate(evaluateMs) },
    target: { eventsPerSecond: SCORING_TARGET_EVENTS_PER_SECOND, met: foldRate >= SCORING_TARGET_EVENTS_PER_SECOND },
  };
}

interface SyntheticLead {
  leadId: string;
  events: StoredEvent[];
}

function foldAll(engine: ScoringEngine, leads: readonly SyntheticLead[], now: Date): number {
  const enteredAt = now.toISOString();
  const started = performance.now();
  for (const lead of leads) engine.replay(lead.events, enteredAt, "lead");
  return performance.now() - started;
}

/** Each lead's events recorded one at a time, as ingest folds them. */
function evaluateAll(engine: ScoringEngine, leads: readonly SyntheticLead[], now: Date): number {
  const started = performance.now();
  for (const { leadId, events } of leads) {
    let lead: Lead | undefined;
    for (const event of events) lead = foldLead({ engine, leadId, current: lead, event, now })?.lead;
  }
  return performance.now() - started;
}

const DOMAINS = ["acme.example", "globex.example", "initech.example", "gmail.com", "umbrella.example", "rival.example"];
const PATHS = ["/", "/blog/lead-scoring", "/pricing", "/careers", "/docs/webhooks", "/customers"];
const FORMS = ["Newsletter", "Lead scoring whitepaper", "Contact sales", "Request a proposal", "Event feedback"];
const TITLES = ["Head of Marketing", "Marketing Manager", "CEO", "Student", "VP Sales", "Analyst"];

/** Leads with a realistic mix of events: page views, forms with answers, webinars, demos, downloads. */
function syntheticLeads(random: () => number, count: number, now: Date): SyntheticLead[] {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const leads: SyntheticLead[] = [];
  for (let index = 0; index < count; index++) {
    const email = `person${Math.floor(random() * 1e9)}@${pick(DOMAINS)}`;
    const events: StoredEvent[] = [];
    for (let position = 0; position < EVENTS_PER_LEAD; position++) {
      const occurredAt = new Date(now.getTime() - Math.floor(random() * 90 * 86_400_000)).toISOString();
      const base = {
        source: "generic" as const,
        sourceEventId: `e${index}-${position}`,
        eventId: `generic:e${index}-${position}`,
        occurredAt,
        receivedAt: occurredAt,
        email,
        attributes: {},
        answers: {},
        properties: {},
      };
      const kind = random();
      if (kind < 0.45) events.push({ ...base, type: "page.viewed", properties: { path: pick(PATHS) } });
      else if (kind < 0.65) {
        events.push({
          ...base,
          type: "form.submitted",
          name: "Synthetic Lead",
          company: "Synthetic Co",
          attributes: { companySize: Math.floor(random() * 3000), jobTitle: pick(TITLES), country: "DE" },
          answers: random() < 0.5 ? { budget: "20k", timeline: "this quarter", need: "routing" } : {},
          properties: { formTitle: pick(FORMS) },
        });
      } else if (kind < 0.75) events.push({ ...base, type: "webinar.registered" });
      else if (kind < 0.85) {
        events.push({ ...base, type: "webinar.attended", properties: { durationMinutes: Math.floor(random() * 60) } });
      } else if (kind < 0.9) events.push({ ...base, type: "content.downloaded" });
      else if (kind < 0.95) events.push({ ...base, type: "demo.scheduled" });
      else events.push({ ...base, type: "demo.completed" });
    }
    leads.push({ leadId: benchLeadId(email), events });
  }
  return leads;
}

/** A small seeded generator, so every run folds the same events. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
