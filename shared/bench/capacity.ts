import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { dynamoAlertLedger } from "../adapters/dynamodb/alert-ledger";
import { entityOf } from "../adapters/dynamodb/items";
import { leadPk } from "../adapters/dynamodb/keys";
import { deliverOnce } from "../application/alert-ledger";
import { leadIdFor } from "../domain/lead";
import { localDynamoDbClient } from "../local/clients";
import { ensureTable } from "../local/table";
import { billedUnits } from "./billing-rules";
import { type ConsumedUnits, recordCapacity } from "./dynamodb";
import { benchIngest } from "./ingest";
import { itemBytes } from "./item-size";
import { median } from "./stats";
import { type BenchLead, benchLead, type JourneyStep, journeyWebhook, pageViewWebhook } from "./webhooks";

export const CAPACITY_TARGETS = { writeUnits: 4, readUnits: 1.5 } as const;

export interface Units {
  read: number;
  write: number;
  tableWrite: number;
  indexWrite: Record<string, number>;
}

export interface CapacityScenario {
  id: string;
  label: string;
  /** What DynamoDB answered with ReturnConsumedCapacity INDEXES (the median over the leads measured). */
  reported: Units;
  /** The same requests priced by DynamoDB's documented billing rules (see billing-rules.ts). */
  billed: Units;
  /** What the store's onCapacity hook reported (TOTAL), as a cross-check of `reported`. */
  storeReported: { read: number; write: number };
  requests: string[];
  samples: number;
  /** True when the leads measured did not all consume the same units. */
  varies: boolean;
}

export interface CapacityResult {
  engine: string;
  scenarios: CapacityScenario[];
  /** Per alert and channel (Slack, email): the notifier ledger's claim and confirm. */
  alertLedgerPerChannel: { reported: Units; billed: Units };
  itemBytes: { lead: number; event: number; transition: number };
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
}

const LEADS = 3;

/**
 * Write and read units per webhook, as DynamoDB reports them, for the ingest use case exactly as the
 * Lambda runs it (signature, mapping, read + fold + one transaction) against a fresh table.
 */
export async function benchCapacity(endpoint: string, engineDescription: string): Promise<CapacityResult> {
  const client = localDynamoDbClient(endpoint);
  const plain = localDynamoDbClient(endpoint);
  const tableName = `bench-capacity-${Date.now()}`;
  await ensureTable(plain, tableName);
  const recorder = recordCapacity(client);
  let store = { read: 0, write: 0 };
  const ingest = benchIngest({
    client,
    tableName,
    onCapacity: (_operation, units) => {
      store = { read: store.read + (units.read ?? 0), write: store.write + (units.write ?? 0) };
    },
  });

  async function measure(body: string): Promise<Measured> {
    recorder.take();
    store = { read: 0, write: 0 };
    await ingest(body);
    return { consumed: recorder.take(), store };
  }

  const run = `cap${Date.now().toString(36)}`;
  const started = Date.now() - 60 * 60 * 1000;
  const at = (minute: number) => new Date(started + minute * 60_000);
  const samples = new Map<string, Measured[]>();
  const keep = (id: string, measured: Measured) => samples.set(id, [...(samples.get(id) ?? []), measured]);
  const step = (lead: BenchLead, name: JourneyStep, minute: number) =>
    journeyWebhook(lead, name, `${run}-${lead.email}-${name}`, at(minute));

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
    transitions.push(leadIdFor(lead.email));
  }

  // A longer history: the read grows by half a unit per 4 KB of lead + events.
  const busy = benchLead(run, LEADS);
  await measure(step(busy, "newsletter", 0));
  for (let count = 2; count <= 50; count++) {
    const measured = await measure(pageViewWebhook(busy, `${run}-busy-${count}`, at(count), count));
    if (count === 20) keep("history-20", measured);
    if (count === 50) keep("history-50", measured);
  }

  const labels: Record<string, string> = {
    "new-lead": "first webhook of a new lead (creates it: stage change from nothing to lead)",
    "no-stage-change": "webhook that changes no stage (2nd event of a lead)",
    duplicate: "duplicate delivery (the same event id again)",
    "to-mql": "webhook that changes the stage (lead → mql)",
    "to-sql": "webhook that changes the stage to sql (the one that alerts)",
    "history-20": "no stage change, lead with 20 events",
    "history-50": "no stage change, lead with 50 events",
  };
  const scenarios = [...samples.entries()].map(([id, measured]) => summarize(id, labels[id] ?? id, measured));

  const ledgerUnits = await alertLedgerUnits(client, recorder, tableName, transitions[0] ?? "bench");
  const sizes = await itemSizes(plain, tableName, transitions[0] ?? "");
  client.destroy();
  plain.destroy();

  const target = scenarios.find((scenario) => scenario.id === "no-stage-change");
  if (!target) throw new Error("the no-stage-change scenario was not measured");
  return {
    engine: engineDescription,
    scenarios,
    alertLedgerPerChannel: ledgerUnits,
    itemBytes: sizes,
    target: {
      scenario: target.id,
      writeTarget: CAPACITY_TARGETS.writeUnits,
      readTarget: CAPACITY_TARGETS.readUnits,
      reported: { read: target.reported.read, write: target.reported.write },
      billed: { read: target.billed.read, write: target.billed.write },
      met: [target.reported, target.billed].every(
        (units) => units.write <= CAPACITY_TARGETS.writeUnits && units.read <= CAPACITY_TARGETS.readUnits,
      ),
    },
  };
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
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: marshall({ ":pk": leadPk(leadId) }),
    }),
  );
  const sizes = { lead: 0, event: 0, transition: 0 };
  for (const item of page.Items ?? []) {
    const entity = entityOf(item);
    if (entity === "lead" || entity === "event" || entity === "transition") {
      sizes[entity] = Math.max(sizes[entity], itemBytes(item));
    }
  }
  return sizes;
}
