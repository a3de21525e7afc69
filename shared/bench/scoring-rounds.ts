import { eventItem, toEvent } from "#shared/adapters/dynamodb/entities/event";
import { type Item, sortKeyOf } from "#shared/adapters/dynamodb/entities/item";
import { storedEvent } from "#shared/application/record-event";
import type { Lead } from "#shared/domain/lead";
import { eventKey, type LeadEvent } from "#shared/domain/lead-event";
import { foldLead } from "#shared/domain/lead-fold";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { BENCH_PSEUDONYMS, benchLeadId } from "./webhooks";

export const SCORING_TARGET_EVENTS_PER_SECOND = 1_000_000;
export const LEADS = 20_000;
export const EVENTS_PER_LEAD = 10;

/** One way of scoring the same events, timed round by round. */
export interface ScoringPath {
  /** Events per second of wall time in the median round: what the target is checked on. */
  eventsPerSecond: number;
  /** Events per second in the fastest round (the one the machine's other work disturbed least). */
  bestEventsPerSecond: number;
  /** Events per second of the path's process's CPU time over every round (its garbage collector's threads included). */
  cpuEventsPerSecond: number;
  met: boolean;
}

export interface ScoringResult {
  model: string;
  /** How the code that ran was built (see benchScoring); absent from figures measured through tsx. */
  bundling?: string;
  /** How the paths' processes ran, one per path; absent from figures measured with every path in one process. */
  processes?: string;
  leads: number;
  eventsPerLead: number;
  rounds: number;
  /** 1, 5 and 15 minute load averages when the timed rounds start and when they end. */
  loadAverage: { before: number[]; after: number[] };
  /**
   * foldLead of each lead from its whole history, as the replay fallback, the stale-lead worker and a
   * rescore run it: each event folded into the snapshot, then one evaluation and stage decision per lead.
   * The histories are decoded before the rounds, as a Query returns them (see syntheticLeads).
   * An event is one event of a history.
   */
  replay: ScoringPath;
  /**
   * The same replays, each page of leads decoded from its JSON text just before its folds (the decode
   * not timed), as production meets its events: objects and strings made a moment before, among the
   * decode's garbage, the strings not yet hashed (the decoded-before histories' were, in the warm-up).
   * No target: shown beside replay for what that costs.
   */
  replayJustDecoded?: Omit<ScoringPath, "met">;
  /**
   * foldLead of each event on its own into the lead as the previous one left it, as ingest runs it:
   * the event folded into a copy of the snapshot, the lead evaluated at `now`, its stage decided.
   * An event is one such fold, with a whole evaluation each. No target: the target is the replay's (it was set
   * against folds of whole histories, one evaluation per lead of 10 events); shown for what a webhook's
   * fold costs. (Figures before 2026-12-07 03:00 UTC carry a `met` against the replay's target.)
   */
  ingest: Omit<ScoringPath, "met">;
  targetEventsPerSecond: number;
}

/** The paths, each timed in a process of its own (see benchScoring). */
export const SCORING_PATHS = ["replay", "replayJustDecoded", "ingest"] as const;
export type ScoringPathName = (typeof SCORING_PATHS)[number];

/** A path's process to the benchmark: ready (warmed up), then one message per round it was asked for. */
export type RoundsMessage = { ready: { model: string } } | { round: Round };
/** The benchmark to a path's process: time one more round, or end. */
export type RoundsCommand = "round" | "end";

/**
 * One path's scoring work over the synthetic leads, ready to be timed round by round: what it needs is
 * made first (the leads, and for replay their decoded histories), outside any round.
 */
function scoringWork(compiledModel: string, path: ScoringPathName): { model: string; run: (clock: Stopwatch) => void } {
  const engine = loadCompiledEngine(compiledModel);
  const now = new Date("2026-11-24T12:00:00.000Z");
  const leads = syntheticLeads(mulberry32(2026), LEADS, now);
  const replayAll = (pages: readonly ReadPage[]) => {
    for (const { leadId, events } of pages) foldLead({ engine, leadId, current: undefined, history: events, now });
  };
  const model = engine.modelVersion;
  if (path === "replay") {
    const decoded = leads.map(({ page }) => readPage(page));
    return {
      model,
      run: (clock) => {
        clock.start();
        replayAll(decoded);
        clock.stop();
      },
    };
  }
  if (path === "replayJustDecoded")
    return {
      model,
      run: (clock) => {
        for (let first = 0; first < leads.length; first += PAGE_LEADS) {
          const read: ReadPage[] = [];
          for (let index = first; index < first + PAGE_LEADS && index < leads.length; index++)
            read.push(readPage((leads[index] as SyntheticLead).page));
          clock.start();
          replayAll(read);
          clock.stop();
        }
      },
    };
  return {
    model,
    run: (clock) => {
      clock.start();
      for (const { leadId, events } of leads) {
        let lead: Lead | undefined;
        for (let position = 0; position < events.length; position++) {
          const event = events[position] as StoredEvent;
          // As the write path does: an event the snapshot can't place (late, under a windowed cap) replays.
          lead = (
            foldLead({ engine, leadId, current: lead, event, now }) ??
            foldLead({ engine, leadId, current: lead, event, history: events.slice(0, position), now })
          )?.lead;
        }
      }
      clock.stop();
    },
  };
}

/** Leads decoded at a time before their folds are timed in replayJustDecoded: about 250 events. */
const PAGE_LEADS = 25;

interface ReadPage {
  leadId: string;
  events: StoredEvent[];
}

/** A lead's page as a replay gets it: the response's JSON parsed, each item through the table's codec. */
function readPage(page: string): ReadPage {
  const { leadId, Items } = JSON.parse(page) as { leadId: string; Items: Item[] };
  return { leadId, events: Items.map(toEvent) };
}

export interface Round {
  wallMs: number;
  cpuMs: number;
}

/** Wall and CPU time summed over the parts of a round that are timed. */
class Stopwatch implements Round {
  wallMs = 0;
  cpuMs = 0;
  #startedAt = 0;
  #cpu: NodeJS.CpuUsage | undefined;

  start(): void {
    this.#cpu = process.cpuUsage();
    this.#startedAt = performance.now();
  }

  stop(): void {
    this.wallMs += performance.now() - this.#startedAt;
    const used = process.cpuUsage(this.#cpu);
    this.cpuMs += (used.user + used.system) / 1000;
  }
}

export function summarize(rounds: readonly Round[], events: number): ScoringPath {
  const rate = (ms: number) => Math.round(events / (ms / 1000));
  const walls = rounds.map((round) => round.wallMs).sort((a, b) => a - b);
  const median = rate(walls[Math.floor(walls.length / 2)] as number);
  const cpuMs = rounds.reduce((sum, round) => sum + round.cpuMs, 0);
  return {
    eventsPerSecond: median,
    bestEventsPerSecond: rate(walls[0] as number),
    cpuEventsPerSecond: Math.round((events * rounds.length) / (cpuMs / 1000)),
    met: median >= SCORING_TARGET_EVENTS_PER_SECOND,
  };
}

interface SyntheticLead {
  /** The lead's id as ingest makes it from the email. */
  leadId: string;
  /** The events as ingest records them, one webhook at a time. */
  events: StoredEvent[];
  /** What a replay reads back for the lead: its id and its event items in key order, as a response's JSON text. */
  page: string;
}

const DOMAINS = ["acme.example", "globex.example", "initech.example", "gmail.com", "umbrella.example", "rival.example"];
const PATHS = ["/", "/blog/lead-scoring", "/pricing", "/careers", "/docs/webhooks", "/customers"];
const FORMS = ["Newsletter", "Lead scoring whitepaper", "Contact sales", "Request a proposal", "Event feedback"];
const TITLES = ["Head of Marketing", "Marketing Manager", "CEO", "Student", "VP Sales", "Analyst"];

/**
 * Leads with a realistic mix of events: page views, forms with answers, webinars, demos, downloads. Each
 * event is made as the write path makes it (storedEvent) for ingest, and kept for replay as a Query
 * returns it: the lead's items in key order (a keyed hash, so not in time order) in a response's JSON
 * text, which readPage decodes as a replay does. So both paths fold objects of the shapes, and strings of
 * the kinds, they meet in production.
 */
function syntheticLeads(random: () => number, count: number, now: Date): SyntheticLead[] {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const leads: SyntheticLead[] = [];
  for (let index = 0; index < count; index++) {
    const email = `person${Math.floor(random() * 1e9)}@${pick(DOMAINS)}`;
    const leadId = benchLeadId(email);
    const events: StoredEvent[] = [];
    // Webhooks arrive about in the order things happened: ingest meets a lead's events oldest first.
    const times = Array.from({ length: EVENTS_PER_LEAD }, () => now.getTime() - Math.floor(random() * 90 * 86_400_000));
    times.sort((a, b) => a - b);
    for (let position = 0; position < EVENTS_PER_LEAD; position++) {
      const occurred = new Date(times[position] as number);
      const event: LeadEvent = {
        source: "generic",
        sourceEventId: `e${index}-${position}`,
        type: "page.viewed",
        occurredAt: occurred.toISOString(),
        email,
        attributes: {},
        answers: {},
        properties: {},
      };
      const kind = random();
      if (kind < 0.45) event.properties = { path: pick(PATHS) };
      else if (kind < 0.65) {
        event.type = "form.submitted";
        event.name = "Synthetic Lead";
        event.company = "Synthetic Co";
        event.attributes = { companySize: Math.floor(random() * 3000), jobTitle: pick(TITLES), country: "DE" };
        if (random() < 0.5) event.answers = { budget: "20k", timeline: "this quarter", need: "routing" };
        event.properties = { formTitle: pick(FORMS) };
      } else if (kind < 0.75) event.type = "webinar.registered";
      else if (kind < 0.85) {
        event.type = "webinar.attended";
        event.properties = { durationMinutes: Math.floor(random() * 60) };
      } else if (kind < 0.9) event.type = "content.downloaded";
      else if (kind < 0.95) event.type = "demo.scheduled";
      else event.type = "demo.completed";
      events.push(storedEvent(event, eventKey(event), occurred));
    }
    const items = events.map((event) => eventItem(leadId, event, BENCH_PSEUDONYMS.eventKey(event.eventId)));
    items.sort((a, b) => ((sortKeyOf(a) ?? "") < (sortKeyOf(b) ?? "") ? -1 : 1));
    leads.push({ leadId, events, page: JSON.stringify({ leadId, Items: items }) });
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

/** Where the process benchScoring starts finds the compiled model, and which path it times. */
export const SCORING_MODEL_VARIABLE = "RIPEN_SCORING_MODEL";
export const SCORING_PATH_VARIABLE = "RIPEN_SCORING_PATH";

// In a process benchScoring starts (this module bundled as a function is): make the path's work, warm
// it up with one untimed round, then time a round each time the benchmark asks, until it says end.
const compiledModel = process.env[SCORING_MODEL_VARIABLE];
const pathName = process.env[SCORING_PATH_VARIABLE] as ScoringPathName | undefined;
const send = process.send?.bind(process) as ((message: RoundsMessage) => boolean) | undefined;
if (compiledModel && pathName && send) {
  const work = scoringWork(compiledModel, pathName);
  work.run(new Stopwatch());
  process.on("message", (command: RoundsCommand) => {
    if (command === "end") {
      if (process.connected) process.disconnect();
      return;
    }
    const clock = new Stopwatch();
    work.run(clock);
    send({ round: { wallMs: clock.wallMs, cpuMs: clock.cpuMs } });
  });
  send({ ready: { model: work.model } });
}
