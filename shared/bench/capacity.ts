import { type AttributeValue, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { dynamoAlertLedger } from "#shared/adapters/dynamodb/alert-ledger";
import { EVENT, EVENT_PREFIX } from "#shared/adapters/dynamodb/entities/event";
import { entityOf } from "#shared/adapters/dynamodb/entities/item";
import { LEAD, leadItem, leadKey, leadPk } from "#shared/adapters/dynamodb/entities/lead";
import { TRANSITION } from "#shared/adapters/dynamodb/entities/transition";
import { tablePartition } from "#shared/adapters/dynamodb/query";
import { deliverOnce } from "#shared/application/notify-alert";
import type { LeadStore } from "#shared/application/ports/lead-store";
import { localDynamoDbClient } from "#shared/local/clients";
import { ensureTable } from "#shared/local/table";
import { loadEngine } from "#shared/runtime/scoring-model";
import { billedUnits } from "./billing-rules";
import { type ConsumedUnits, recordCapacity } from "./dynamodb";
import { benchIngestOutcome } from "./ingest";
import { itemBytes } from "./item-size";
import { foldBodies, seedHistory } from "./seed";
import { type LatencySummary, latencySummary, median, round } from "./stats";
import { type BenchLead, benchLead, benchLeadId, type JourneyStep, journeyWebhook, pageViewWebhook } from "./webhooks";
import { worstCaseJourney } from "./worst-case";

export const CAPACITY_TARGETS = {
  /** A webhook that changes no stage, at every history length, while the lead item stays within 1 KB. */
  writeUnits: 4,
  readUnits: 1,
  leadItemBytes: 1024,
  duplicate: { readUnits: 1, writeUnits: 0 },
  newLead: { writeUnits: 10 },
  /** Handler p50 and p99 at the longest history over those at 10 events. */
  latencyRatio: 1.2,
} as const;

export const HISTORY_LENGTHS = [1, 10, 100, 1_000, 10_000] as const;
/**
 * Webhooks measured per history length (each adds one event): BENCH_CAPACITY_SAMPLES, default 500, so a
 * p99 is the fifth slowest of its length, not the second: one pause of a busy machine does not make it.
 */
const SAMPLES = Number(process.env.BENCH_CAPACITY_SAMPLES ?? 500);
const BURST = { concurrency: 32, history: 3_000 } as const;
const OUT_OF_ORDER = { rates: [0, 0.01, 0.1], webhooks: 200, history: 1_000 } as const;
/** Prior events are seeded this far apart, the last of them two hours ago. */
const SEED_SPACING_MS = 30_000;

export interface Units {
  read: number;
  write: number;
  tableWrite: number;
  indexWrite: Record<string, number>;
}

export interface CapacityScenario {
  id: string;
  label: string;
  /** What DynamoDB answered with ReturnConsumedCapacity INDEXES (the median over the webhooks measured). */
  reported: Units;
  /** The same requests priced by DynamoDB's documented billing rules (see billing-rules.ts). */
  billed: Units;
  /** What the store's onCapacity hook reported (TOTAL), as a cross-check of `reported`. */
  storeReported: { read: number; write: number };
  requests: string[];
  samples: number;
  /** True when the webhooks measured did not all consume the same units. */
  varies: boolean;
}

export interface HistoryRow {
  /** Events the lead had before each measured webhook (the first one; each adds one). */
  priorEvents: number;
  reported: Units;
  billed: Units;
  /** The lead item after the measured webhooks, in bytes as DynamoDB counts them. */
  leadBytes: number;
  handlerMs: LatencySummary & { samples: number };
  /** Measured webhooks that changed the stage (should be none) or replayed the history. */
  stageChanges: number;
  replays: number;
  varies: boolean;
}

export interface BurstResult {
  concurrency: number;
  priorEvents: number;
  /** Answers by HTTP status, first round, then after one retry round of the 503s. */
  statuses: Record<string, number>;
  retryStatuses: Record<string, number>;
  eventsStored: number;
  eventsExpected: number;
  /** TransactWriteItems sent, of which cancelled (conflicts: billed by DynamoDB all the same). */
  transactions: number;
  cancelledTransactions: number;
  reads: number;
  /** Everything the burst and its retry round consumed, by the billing rules, and per event stored. */
  billed: { read: number; write: number; readPerEvent: number; writePerEvent: number };
  /** What DynamoDB reported (cancelled transactions report nothing). */
  reported: { read: number; write: number };
  wallMs: number;
}

export interface OutOfOrderRow {
  rate: number;
  webhooks: number;
  late: number;
  /** loadEvents calls: how often record-event replayed the history. */
  replays: number;
  replayRate: number;
  statuses: Record<string, number>;
  billedPerWebhook: { read: number; write: number };
  handlerMs: LatencySummary;
}

export interface CapacityResult {
  engine: string;
  scenarios: CapacityScenario[];
  history: HistoryRow[];
  worstCaseSnapshot: { leadBytes: number; finalLeadBytes: number; events: number; stage: string; note: string };
  burst: BurstResult;
  outOfOrder: { priorEvents: number; rows: OutOfOrderRow[] };
  /** Per alert and channel (Slack, email): the notifier ledger's claim and confirm. */
  alertLedgerPerChannel: { reported: Units; billed: Units };
  itemBytes: { lead: number; event: number; transition: number };
  targets: { name: string; target: string; measured: string; met: boolean }[];
  /** Kept for older readers: the no-stage-change target over every history length. */
  target: {
    scenario: string;
    writeTarget: number;
    readTarget: number;
    reported: { read: number; write: number };
    billed: { read: number; write: number };
    met: boolean;
  };
}

interface Measured {
  consumed: ConsumedUnits[];
  store: { read: number; write: number };
  ms: number;
  status: number;
}

interface Counts {
  replays: number;
  transitions: number;
  commits: number;
}

const LEADS = 3;
const HOUR = 60 * 60 * 1000;

/** The store with its replays (loadEvents) and commits counted. */
function counting(counts: Counts) {
  return (store: LeadStore): LeadStore => ({
    ...store,
    loadEvents(leadId, options) {
      counts.replays++;
      return store.loadEvents(leadId, options);
    },
    commit(change) {
      counts.commits++;
      if (change.transition) counts.transitions++;
      return store.commit(change);
    },
  });
}

/** A first event that scores little (no fit), so page views after it never reach mql: no stage change. */
function quietFirst(lead: BenchLead, eventId: string, at: Date): string {
  const payload = JSON.parse(journeyWebhook(lead, "newsletter", eventId, at)) as Record<string, unknown>;
  payload.attributes = { country: "DE", jobTitle: "Marketing Manager" };
  return JSON.stringify(payload);
}

/**
 * Read and write units per webhook, as DynamoDB reports them and as its billing rules price them, for the
 * ingest use case exactly as the Lambda runs it (signature, mapping, one BatchGetItem, the fold, one
 * TransactWriteItems) against a fresh table. Long histories are seeded straight into the table (events
 * and a lead with the snapshot the engine folds from them); the measured webhooks go through ingest.
 */
export async function benchCapacity(
  endpoint: string,
  engineDescription: string,
  log: (line: string) => void = () => {},
): Promise<CapacityResult> {
  const client = localDynamoDbClient(endpoint);
  const plain = localDynamoDbClient(endpoint);
  const tableName = `bench-capacity-${Date.now()}`;
  await ensureTable(plain, tableName);
  const engine = loadEngine();
  const recorder = recordCapacity(client);
  const counts: Counts = { replays: 0, transitions: 0, commits: 0 };
  let store = { read: 0, write: 0 };
  const ingest = benchIngestOutcome({
    client,
    tableName,
    wrapStore: counting(counts),
    onCapacity: (_operation, units) => {
      store = { read: store.read + (units.read ?? 0), write: store.write + (units.write ?? 0) };
    },
  });

  async function measure(body: string): Promise<Measured> {
    recorder.take();
    store = { read: 0, write: 0 };
    const started = performance.now();
    const outcome = await ingest(body);
    const ms = performance.now() - started;
    if (outcome.statusCode >= 300) {
      throw new Error(`ingest answered ${outcome.statusCode}: ${JSON.stringify(outcome.body)}`);
    }
    return { consumed: recorder.take(), store, ms, status: outcome.statusCode };
  }

  const run = `cap${Date.now().toString(36)}`;
  const now = Date.now();
  const started = now - HOUR;
  const at = (minute: number) => new Date(started + minute * 60_000);
  const samples = new Map<string, Measured[]>();
  const keep = (id: string, measured: Measured) => samples.set(id, [...(samples.get(id) ?? []), measured]);
  const step = (lead: BenchLead, name: JourneyStep, minute: number) =>
    journeyWebhook(lead, name, `${run}-${lead.email}-${name}`, at(minute));

  // The default journey: a new lead, a webhook that changes nothing, its redelivery, mql, sql.
  log("capacity: the journey (new lead, no stage change, duplicate, mql, sql)…");
  const transitions: string[] = [];
  for (let index = 0; index < LEADS; index++) {
    const lead = benchLead(run, index);
    keep("new-lead", await measure(step(lead, "newsletter", 0)));
    const blog = step(lead, "blog", 1);
    keep("no-stage-change", await measure(blog));
    keep("duplicate", await measure(blog));
    await measure(step(lead, "pricing", 2));
    keep("to-mql", await measure(step(lead, "whitepaper", 3)));
    keep("to-sql", await measure(step(lead, "budget", 4)));
    transitions.push(benchLeadId(lead.email));
  }

  // Histories of 1 to 10,000 events, seeded; then SAMPLES page views each, round-robin over the lengths.
  const seeded = async (lead: BenchLead, prior: number, id: string) => {
    const last = now - 2 * HOUR;
    const time = (index: number) => new Date(last - (prior - 1 - index) * SEED_SPACING_MS);
    const bodies = [quietFirst(lead, `${id}-0`, time(0))];
    for (let index = 1; index < prior; index++) {
      bodies.push(pageViewWebhook(lead, `${id}-${index}`, time(index), index));
    }
    const history = foldBodies(engine, bodies);
    await seedHistory(plain, tableName, history);
    return history;
  };
  const leads = HISTORY_LENGTHS.map((prior, index) => ({ prior, lead: benchLead(`${run}-h`, index) }));
  for (const { prior, lead } of leads) {
    log(`capacity: seeding a lead with ${prior.toLocaleString("en-US")} events…`);
    await seeded(lead, prior, `${run}-h${prior}`);
  }
  log(`capacity: ${SAMPLES} webhooks at each history length…`);
  const perLength = new Map<number, { measured: Measured[]; stageChanges: number; replays: number }>();
  let lastBody = "";
  for (let sample = 0; sample < SAMPLES; sample++) {
    for (const { prior, lead } of leads) {
      const body = pageViewWebhook(
        lead,
        `${run}-h${prior}-m${sample}`,
        new Date(started + sample * 1000),
        1_000_000 + sample,
      );
      const before = { ...counts };
      const measured = await measure(body);
      const row = perLength.get(prior) ?? { measured: [], stageChanges: 0, replays: 0 };
      row.measured.push(measured);
      row.stageChanges += counts.transitions - before.transitions;
      row.replays += counts.replays - before.replays;
      perLength.set(prior, row);
      if (prior === HISTORY_LENGTHS.at(-1)) lastBody = body;
    }
  }
  keep(`duplicate-${HISTORY_LENGTHS.at(-1)}`, await measure(lastBody));
  const history: HistoryRow[] = [];
  for (const { prior, lead } of leads) {
    const row = perLength.get(prior);
    if (!row) continue;
    const summary = summarize(`history-${prior}`, "", row.measured);
    history.push({
      priorEvents: prior,
      reported: summary.reported,
      billed: summary.billed,
      leadBytes: await leadBytes(plain, tableName, benchLeadId(lead.email)),
      handlerMs: { ...latencySummary(row.measured.map((measured) => measured.ms)), samples: row.measured.length },
      stageChanges: row.stageChanges,
      replays: row.replays,
      varies: summary.varies,
    });
  }

  // The default model's largest snapshot: every capped rule and window ring full, in and since leaving the funnel.
  log("capacity: the worst-case snapshot…");
  const worst = worstCaseJourney(benchLead(`${run}-worst`, 0), new Date(now - 20 * 24 * HOUR));
  const folded = foldBodies(engine, worst.bodies, (lead) => itemBytes(leadItem(lead)));
  const worstCaseSnapshot = {
    leadBytes: itemBytes(leadItem(folded.largest)),
    finalLeadBytes: itemBytes(leadItem(folded.lead)),
    events: worst.bodies.length,
    stage: folded.lead.stage,
    note: worst.note,
  };

  log(`capacity: a burst of ${BURST.concurrency} on a ${BURST.history.toLocaleString("en-US")}-event lead…`);
  const burstLead = benchLead(`${run}-burst`, 0);
  await seeded(burstLead, BURST.history, `${run}-burst`);
  const burst = await runBurst(ingest, recorder, plain, tableName, burstLead, run, started);

  log("capacity: out-of-order delivery…");
  const outOfOrderRows: OutOfOrderRow[] = [];
  for (const [index, rate] of OUT_OF_ORDER.rates.entries()) {
    const lead = benchLead(`${run}-order`, index);
    const id = `${run}-o${index}`;
    const seed = await seeded(lead, OUT_OF_ORDER.history, id);
    const earliest = Date.parse(seed.events[0]?.occurredAt ?? new Date(now - 3 * HOUR).toISOString());
    const latest = Date.parse(seed.events.at(-1)?.occurredAt ?? new Date(now - 2 * HOUR).toISOString());
    const before = { ...counts };
    const measured: Measured[] = [];
    let late = 0;
    for (let sample = 0; sample < OUT_OF_ORDER.webhooks; sample++) {
      const isLate = Math.floor((sample + 1) * rate) > Math.floor(sample * rate);
      if (isLate) late++;
      // A late event lands inside the history (earlier than the lead's latest), an on-time one after it.
      const occurredAt = isLate
        ? new Date(earliest + ((sample * 7919) % Math.max(1, latest - earliest)))
        : new Date(started + sample * 1000);
      measured.push(await measure(pageViewWebhook(lead, `${id}-m${sample}`, occurredAt, 2_000_000 + sample)));
    }
    const billed = measured.map(({ consumed }) => billedUnits(consumed));
    const replays = counts.replays - before.replays;
    outOfOrderRows.push({
      rate,
      webhooks: measured.length,
      late,
      replays,
      replayRate: round(replays / measured.length, 4),
      statuses: tally(measured.map((entry) => entry.status)),
      billedPerWebhook: {
        read: round(billed.reduce((sum, units) => sum + units.read, 0) / measured.length, 3),
        write: round(billed.reduce((sum, units) => sum + units.write, 0) / measured.length, 3),
      },
      handlerMs: latencySummary(measured.map((entry) => entry.ms)),
    });
  }

  const labels: Record<string, string> = {
    "new-lead": "first webhook of a new lead (creates it: stage change from nothing to lead)",
    "no-stage-change": "webhook that changes no stage (2nd event of a lead)",
    duplicate: "duplicate delivery (the same event id again)",
    [`duplicate-${HISTORY_LENGTHS.at(-1)}`]: `duplicate delivery to a lead with ${HISTORY_LENGTHS.at(-1)?.toLocaleString("en-US")} events`,
    "to-mql": "webhook that changes the stage (lead → mql)",
    "to-sql": "webhook that changes the stage to sql (the one that alerts)",
  };
  const scenarios = [...samples.entries()].map(([id, measured]) => summarize(id, labels[id] ?? id, measured));

  const ledgerUnits = await alertLedgerUnits(client, recorder, tableName, transitions[0] ?? "bench");
  const sizes = await itemSizes(plain, tableName, transitions[0] ?? "");
  client.destroy();
  plain.destroy();

  const scenario = (id: string) => {
    const found = scenarios.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`the ${id} scenario was not measured`);
    return found;
  };
  // The targets are checked on what DynamoDB's billing rules give for the requests made (billing-rules.ts);
  // what DynamoDB Local reports stays beside it in the results, but it is no bill (see billedUnits).
  const worstRead = Math.max(...history.map((row) => row.billed.read));
  const worstWrite = Math.max(...history.map((row) => row.billed.write));
  const largestLead = Math.max(...history.map((row) => row.leadBytes));
  const duplicates = [scenario("duplicate"), scenario(`duplicate-${HISTORY_LENGTHS.at(-1)}`)];
  const newLead = scenario("new-lead");
  const short = history.find((row) => row.priorEvents === 10);
  const long = history.find((row) => row.priorEvents === HISTORY_LENGTHS.at(-1));
  const targets = [
    {
      name: "no stage change: WRU at every history length (lead item ≤ 1 KB)",
      target: `≤ ${CAPACITY_TARGETS.writeUnits} WRU, lead ≤ ${CAPACITY_TARGETS.leadItemBytes} B`,
      measured: `${worstWrite} WRU, lead ≤ ${largestLead} B`,
      met: worstWrite <= CAPACITY_TARGETS.writeUnits && largestLead <= CAPACITY_TARGETS.leadItemBytes,
    },
    {
      name: "no stage change: RRU at every history length",
      target: `≤ ${CAPACITY_TARGETS.readUnits} RRU`,
      measured: `${worstRead} RRU`,
      met: worstRead <= CAPACITY_TARGETS.readUnits,
    },
    {
      name: "duplicate",
      target: `≤ ${CAPACITY_TARGETS.duplicate.readUnits} RRU, ${CAPACITY_TARGETS.duplicate.writeUnits} WRU`,
      measured: duplicates.map((entry) => `${entry.billed.read} RRU, ${entry.billed.write} WRU`).join("; "),
      met: duplicates.every(
        (entry) =>
          entry.billed.read <= CAPACITY_TARGETS.duplicate.readUnits &&
          entry.billed.write <= CAPACITY_TARGETS.duplicate.writeUnits,
      ),
    },
    {
      name: "new lead",
      target: `≤ ${CAPACITY_TARGETS.newLead.writeUnits} WRU`,
      measured: `${newLead.billed.write} WRU`,
      met: newLead.billed.write <= CAPACITY_TARGETS.newLead.writeUnits,
    },
    ...(["p50", "p99"] as const).map((percentile) => {
      const ratio = short && long ? round(long.handlerMs[percentile] / short.handlerMs[percentile], 2) : Number.NaN;
      return {
        name: `ingest handler ${percentile}, ${HISTORY_LENGTHS.at(-1)?.toLocaleString("en-US")} events over 10`,
        target: `≤ ${CAPACITY_TARGETS.latencyRatio}×`,
        measured: `${long?.handlerMs[percentile]} / ${short?.handlerMs[percentile]} ms = ${ratio}×`,
        met: ratio <= CAPACITY_TARGETS.latencyRatio,
      };
    }),
  ];
  const noChange = scenario("no-stage-change");
  return {
    engine: engineDescription,
    scenarios,
    history,
    worstCaseSnapshot,
    burst,
    outOfOrder: { priorEvents: OUT_OF_ORDER.history, rows: outOfOrderRows },
    alertLedgerPerChannel: ledgerUnits,
    itemBytes: sizes,
    targets,
    target: {
      scenario: "no-stage-change at every history length",
      writeTarget: CAPACITY_TARGETS.writeUnits,
      readTarget: CAPACITY_TARGETS.readUnits,
      reported: { read: noChange.reported.read, write: noChange.reported.write },
      billed: { read: noChange.billed.read, write: noChange.billed.write },
      met: (targets[0]?.met ?? false) && (targets[1]?.met ?? false),
    },
  };
}

function tally(values: readonly (number | string)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}

/**
 * BURST.concurrency webhooks at once on one lead with a long history, through the handler; then one
 * retry round of those answered 503, all at once again. Units by the billing rules over every request
 * (a cancelled transaction bills its items; DynamoDB reports nothing for it).
 */
async function runBurst(
  ingest: ReturnType<typeof benchIngestOutcome>,
  recorder: ReturnType<typeof recordCapacity>,
  client: ReturnType<typeof localDynamoDbClient>,
  tableName: string,
  lead: BenchLead,
  run: string,
  started: number,
): Promise<BurstResult> {
  const bodies = Array.from({ length: BURST.concurrency }, (_, index) =>
    pageViewWebhook(lead, `${run}-burst-m${index}`, new Date(started + index * 1000), 3_000_000 + index),
  );
  recorder.take();
  const began = performance.now();
  const first = await Promise.all(bodies.map(async (body) => ({ body, outcome: await ingest(body) })));
  const again = first.filter(({ outcome }) => outcome.statusCode === 503).map(({ body }) => body);
  const second = await Promise.all(again.map((body) => ingest(body)));
  const wallMs = performance.now() - began;
  const consumed = recorder.take();
  const billed = billedUnits(consumed);
  const reported = reportedUnits(consumed);
  // Counted page by page: a Query stops at 1 MB of items read, COUNT or not.
  let eventsStored = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        ...tablePartition(leadPk(benchLeadId(lead.email)), EVENT_PREFIX),
        Select: "COUNT",
        ConsistentRead: true,
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    eventsStored += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const added = Math.max(1, eventsStored - BURST.history);
  const transactions = consumed.filter((units) => units.operation === "TransactWriteItems");
  return {
    concurrency: BURST.concurrency,
    priorEvents: BURST.history,
    statuses: tally(first.map(({ outcome }) => outcome.statusCode)),
    retryStatuses: tally(second.map((outcome) => outcome.statusCode)),
    eventsStored,
    eventsExpected: BURST.history + BURST.concurrency,
    transactions: transactions.length,
    cancelledTransactions: transactions.filter((units) => units.cancelled).length,
    reads: consumed.filter((units) => units.kind === "read").length,
    billed: {
      read: billed.read,
      write: billed.write,
      readPerEvent: round(billed.read / added, 2),
      writePerEvent: round(billed.write / added, 2),
    },
    reported: { read: reported.read, write: reported.write },
    wallMs: Math.round(wallMs),
  };
}

async function leadBytes(client: ReturnType<typeof localDynamoDbClient>, tableName: string, leadId: string) {
  const result = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: leadKey(leadId),
      ConsistentRead: true,
    }),
  );
  return result.Item ? itemBytes(result.Item) : 0;
}

function summarize(id: string, label: string, measured: Measured[]): CapacityScenario {
  const reported = measured.map(({ consumed }) => reportedUnits(consumed));
  const billed = measured.map(({ consumed }) => billedUnits(consumed));
  const first = measured[0];
  return {
    id,
    label,
    reported: medianUnits(reported),
    billed: medianUnits(billed),
    storeReported: {
      read: median(measured.map(({ store }) => store.read)),
      write: median(measured.map(({ store }) => store.write)),
    },
    requests: first ? first.consumed.map((unit) => unit.operation) : [],
    samples: measured.length,
    varies: [reported, billed].some((units) => new Set(units.map((unit) => `${unit.read}/${unit.write}`)).size > 1),
  };
}

function reportedUnits(consumed: readonly ConsumedUnits[]): Units {
  const units: Units = { read: 0, write: 0, tableWrite: 0, indexWrite: {} };
  for (const unit of consumed) {
    if (unit.kind === "read") {
      units.read += unit.total;
      continue;
    }
    units.write += unit.total;
    units.tableWrite += unit.table;
    for (const [name, value] of Object.entries(unit.indexes)) {
      units.indexWrite[name] = (units.indexWrite[name] ?? 0) + value;
    }
  }
  return units;
}

function medianUnits(all: readonly Units[]): Units {
  const names = [...new Set(all.flatMap((units) => Object.keys(units.indexWrite)))].sort();
  return {
    read: median(all.map((units) => units.read)),
    write: median(all.map((units) => units.write)),
    tableWrite: median(all.map((units) => units.tableWrite)),
    indexWrite: Object.fromEntries(
      names.map((name) => [name, median(all.map((units) => units.indexWrite[name] ?? 0))]),
    ),
  };
}

/** What the notifiers' ledger costs per alert and channel: a conditional claim, then a confirm. */
async function alertLedgerUnits(
  client: ReturnType<typeof localDynamoDbClient>,
  recorder: ReturnType<typeof recordCapacity>,
  tableName: string,
  alertId: string,
): Promise<{ reported: Units; billed: Units }> {
  const ledger = dynamoAlertLedger({ client, tableName });
  const quiet = { info() {}, warn() {}, error() {} };
  recorder.take();
  await deliverOnce(ledger, { alertId: `bench-${alertId}`, channel: "slack:owner" }, async () => "sent", quiet);
  const consumed = recorder.take();
  return { reported: reportedUnits(consumed), billed: billedUnits(consumed) };
}

/** The largest lead, event and transition items of one lead's partition, in bytes as DynamoDB counts them. */
async function itemSizes(client: ReturnType<typeof localDynamoDbClient>, tableName: string, leadId: string) {
  const page = await client.send(
    new QueryCommand({
      TableName: tableName,
      ...tablePartition(leadPk(leadId)),
    }),
  );
  const sizes = { [LEAD]: 0, [EVENT]: 0, [TRANSITION]: 0 };
  for (const item of page.Items ?? []) {
    const entity = entityOf(item);
    if (entity === LEAD || entity === EVENT || entity === TRANSITION) {
      sizes[entity] = Math.max(sizes[entity], itemBytes(item));
    }
  }
  return sizes;
}
