import {
  type DynamoDBClient,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { batchWrite } from "#shared/adapters/dynamodb/batch";
import { EVENT_PREFIX, eventItem } from "#shared/adapters/dynamodb/entities/event";
import { entityOf, type Item, SK } from "#shared/adapters/dynamodb/entities/item";
import { LEAD, LEAD_SK, leadItem, leadPk, leadPutCondition, toLead } from "#shared/adapters/dynamodb/entities/lead";
import { transitionItem } from "#shared/adapters/dynamodb/entities/transition";
import { tablePartition } from "#shared/adapters/dynamodb/query";
import { mapConcurrent } from "#shared/application/pacing/concurrency";
import type { RunProgress } from "#shared/application/ports/runs";
import type { RunRequest } from "#shared/application/start-run";
import type { Lead, Transition } from "#shared/domain/lead";
import { foldLead } from "#shared/domain/lead-fold";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { localDynamoDbClient } from "#shared/local/clients";
import { runLocally } from "#shared/local/lead-runs";
import { ensureTable } from "#shared/local/table";
import { budgetedEngine } from "#shared/runtime/compiled-engine";
import { runModelOf } from "#shared/runtime/lead-run-workers";
import { loadEngine, loadModel } from "#shared/runtime/scoring-model";
import { DEFAULT_MAX_WRU } from "#shared/runtime/work-queue";
import { recordCapacity } from "./dynamodb";
import { foldBodies } from "./seed";
import { busiestWindow, round } from "./stats";
import { BENCH_PSEUDONYMS, benchLead, JOURNEY, journeyWebhook } from "./webhooks";

export const RESCORE_LEADS = 2_000;
export const RESCORE_EVENTS_PER_LEAD = 3;
/** The local rescore against the floor: the same Query and write round trips made directly. */
export const RESCORE_TARGET = 0.8;
/** Local workers and the leads each works on at once: the floor runs as many lanes. */
export const RESCORE_WORKERS = 4;
export const RESCORE_CONCURRENCY = 8;

export interface RescoreResult {
  leads: number;
  eventsPerLead: number;
  workers: number;
  concurrency: number;
  model: { from: string; to: string };
  rescore: {
    seconds: number;
    leadsPerSecond: number;
    rescored: number;
    /** Of those, replayed from their events (all of them: the candidate folds otherwise). */
    replayed: number;
    moved: number;
    moves: string;
    writeUnits: number;
    readUnits: number;
    /** Work items delivered (parts, and their hand-overs). */
    parts: number;
  };
  /** The floor, before and after the rescore (the table grows by the rescore's transitions meanwhile). */
  floor: { seconds: number[]; leadsPerSecond: number };
  ratio: number;
  /** What --max-wru allows at the WRU per lead measured here (a rescore is paced to it in AWS and locally). */
  atBudget: { maxWru: number; writeUnitsPerLead: number; leadsPerSecond: number };
  /**
   * The candidate's rescore again over the same leads (as the preview found them: as seeded), paced to
   * the default --max-wru: the leads per second it made, and the write units DynamoDB reported for every
   * write the run made (its bookkeeping included), over the run and in its busiest second.
   */
  paced?: {
    maxWru: number;
    seconds: number;
    leadsPerSecond: number;
    rescored: number;
    writeUnits: number;
    writeUnitsPerSecond: number;
    busiestSecond: number;
  };
  target: { ratio: number; met: boolean };
  /**
   * Then a calibration of the stored model (its mql threshold alone lowered, to 20): the two models fold
   * alike, so each lead is evaluated from its snapshot, reading no event. Its floor is the same
   * TransactWriteItems per lead without the Query, before and after. No target: it shows what a
   * calibration's rescore costs.
   */
  calibration?: {
    model: { from: string; to: string };
    seconds: number;
    leadsPerSecond: number;
    rescored: number;
    replayed: number;
    moved: number;
    writeUnits: number;
    readUnits: number;
    floor: { seconds: number[]; leadsPerSecond: number };
    ratio: number;
  };
  /**
   * A preview of the candidate over the same leads (each lead evaluated by both models, and its history
   * replayed as a new lead's by the candidate): writes nothing but its findings. No target.
   */
  preview?: { seconds: number; leadsPerSecond: number; examined: number; changes: number; readUnits: number };
}

/**
 * 2,000 leads of 3 events, stored by one model, rescored with another (its mql threshold lowered, so half
 * the leads move, and its half-life changed, so every lead is replayed from its events) through the run
 * code on this machine: the local driver, its workers and their checkpoints, against DynamoDB Local. The
 * floor is the round trips each lead needs, made straight with the client at the same concurrency on the
 * same table: the consistent Query of its events and one TransactWriteItems with as many items, in the
 * same run, after a warm-up, before and after the rescore. The floor leaves the leads as seeded, and a
 * calibration of the stored model (its mql threshold alone) is rescored from their snapshots, beside the
 * same writes without the Query.
 */
export async function benchRescore(endpoint: string, progress: (line: string) => void): Promise<RescoreResult> {
  const client = localDynamoDbClient(endpoint);
  const tableName = `bench-rescore-${Date.now()}`;
  try {
    const current = loadEngine();
    const candidate = candidateOf(current);
    progress(`rescore: seeding ${RESCORE_LEADS} leads of ${RESCORE_EVENTS_PER_LEAD} events…`);
    const writes = await seed(client, tableName, current, candidate);
    const lanes = RESCORE_WORKERS * RESCORE_CONCURRENCY;

    progress(`rescore: floor (Query + TransactWriteItems per lead, ${lanes} at once), a warm-up and a measure…`);
    const warmUp = await floor(client, tableName, writes, lanes, 0);
    const floorBefore = await floor(client, tableName, writes, lanes, 1);
    progress(`rescore: floor ${round(warmUp, 2)} s (warm-up), ${round(floorBefore, 2)} s`);
    progress(`rescore: ${RESCORE_WORKERS} local workers × ${RESCORE_CONCURRENCY} leads at once, unpaced…`);
    const { seconds, progress: done } = await timedRun(
      client,
      tableName,
      { kind: "rescore", model: runModelOf(candidate), notify: false },
      candidate,
      "rescore",
    );
    progress(`rescore: ${round(seconds, 2)} s; floor again…`);
    const floorAfter = await floor(client, tableName, writes, lanes, 2);
    const { tally, moves } = done;
    const calibration = await rescoreCalibration(client, tableName, current, writes, lanes, progress);
    const preview = await previewCandidate(client, tableName, current, candidate, progress);
    const paced = await pacedRescore(endpoint, tableName, candidate, progress);
    const leadsPerSecond = RESCORE_LEADS / seconds;
    const floorSeconds = [floorBefore, floorAfter];
    const floorRate = leadsPerSecondOver(floorSeconds);
    const ratio = round(leadsPerSecond / floorRate, 2);
    const writeUnitsPerLead = (tally.writeUnits ?? 0) / RESCORE_LEADS;
    return {
      leads: RESCORE_LEADS,
      eventsPerLead: RESCORE_EVENTS_PER_LEAD,
      workers: RESCORE_WORKERS,
      concurrency: RESCORE_CONCURRENCY,
      model: { from: current.modelVersion, to: candidate.modelVersion },
      rescore: {
        seconds: round(seconds, 2),
        leadsPerSecond: Math.round(leadsPerSecond),
        rescored: tally.rescored ?? 0,
        replayed: tally.replayed ?? 0,
        moved: tally.moved ?? 0,
        moves: moves.map((move) => `${move.from}>${move.to} ${move.leads}`).join(", ") || "none",
        writeUnits: round(tally.writeUnits ?? 0, 1),
        readUnits: round(tally.readUnits ?? 0, 1),
        parts: done.parts,
      },
      floor: { seconds: floorSeconds.map((value) => round(value, 2)), leadsPerSecond: Math.round(floorRate) },
      ratio,
      atBudget: {
        maxWru: DEFAULT_MAX_WRU,
        writeUnitsPerLead: round(writeUnitsPerLead, 2),
        leadsPerSecond: writeUnitsPerLead > 0 ? Math.round(DEFAULT_MAX_WRU / writeUnitsPerLead) : 0,
      },
      target: { ratio: RESCORE_TARGET, met: ratio >= RESCORE_TARGET },
      calibration,
      preview,
      paced,
    };
  } finally {
    client.destroy();
  }
}

/**
 * The candidate previewed against the stored model over the leads as the last floor left them (as
 * seeded): how long a preview of 2,000 leads takes, and what it reads.
 */
async function previewCandidate(
  client: DynamoDBClient,
  tableName: string,
  current: ScoringEngine,
  candidate: ScoringEngine,
  progress: (line: string) => void,
): Promise<NonNullable<RescoreResult["preview"]>> {
  progress("rescore: a preview of the candidate over the same leads…");
  const { seconds, progress: done } = await timedRun(
    client,
    tableName,
    { kind: "preview", model: runModelOf(current), candidate: runModelOf(candidate) },
    current,
    "preview",
    [candidate],
  );
  const { tally } = done;
  progress(`rescore: preview ${round(seconds, 2)} s`);
  const changes = done.moves.reduce((sum, move) => sum + move.leads, 0);
  return {
    seconds: round(seconds, 2),
    leadsPerSecond: Math.round(RESCORE_LEADS / seconds),
    examined: tally.examined ?? 0,
    changes,
    readUnits: round(tally.readUnits ?? 0, 1),
  };
}

/**
 * The candidate's rescore of the leads as the preview found them (as seeded), paced to the default
 * --max-wru, through a client of its own that records every write's reported units and when it came.
 */
async function pacedRescore(
  endpoint: string,
  tableName: string,
  candidate: ScoringEngine,
  progress: (line: string) => void,
): Promise<NonNullable<RescoreResult["paced"]>> {
  progress(`rescore: the candidate's rescore again, paced to --max-wru ${DEFAULT_MAX_WRU}…`);
  const client = localDynamoDbClient(endpoint);
  try {
    const recorder = recordCapacity(client);
    const began = performance.now();
    const { seconds, progress: done } = await timedRun(
      client,
      tableName,
      { kind: "rescore", model: runModelOf(candidate), notify: false, maxWru: DEFAULT_MAX_WRU },
      candidate,
      "paced rescore",
    );
    const writes = recorder
      .take()
      .filter((units) => units.kind === "write")
      .map((units) => ({ at: units.answeredAt ?? began, units: units.total }));
    const writeUnits = writes.reduce((sum, write) => sum + write.units, 0);
    progress(`rescore: paced ${round(seconds, 2)} s`);
    return {
      maxWru: DEFAULT_MAX_WRU,
      seconds: round(seconds, 2),
      leadsPerSecond: Math.round(RESCORE_LEADS / seconds),
      rescored: done.tally.rescored ?? 0,
      writeUnits: round(writeUnits, 1),
      writeUnitsPerSecond: Math.round(writeUnits / seconds),
      busiestSecond: round(busiestWindow(writes, 1_000), 1),
    };
  } finally {
    client.destroy();
  }
}

/**
 * The default model under another version, its mql threshold lowered from 40 to 20 as the candidate's,
 * nothing else: the same moves as the candidate's rescore, from the snapshots.
 */
export function calibrationOf(current: ScoringEngine): ScoringEngine {
  const model = structuredClone(loadModel());
  model.version = `${current.modelVersion}-bench-calibration`;
  lowerMql(model, 20);
  return budgetedEngine(model, "bench calibration");
}

/**
 * The seeded leads (the floor left them so) rescored with a calibration of the model that stored them:
 * from their snapshots, beside the floor of the same writes (each lead item, and a transition for each
 * lead the calibration moves) without the Query.
 */
async function rescoreCalibration(
  client: DynamoDBClient,
  tableName: string,
  current: ScoringEngine,
  writes: readonly RescoreWrite[],
  lanes: number,
  progress: (line: string) => void,
): Promise<NonNullable<RescoreResult["calibration"]>> {
  const calibration = calibrationOf(current);
  if (calibration.foldHash !== current.foldHash) throw new Error("the calibration should fold as the stored model");
  const now = new Date();
  const leadWrites = writes.map(({ leadId, lead }): RescoreWrite => {
    const moved = foldLead({ engine: calibration, leadId, current: lead, now })?.transition;
    return { leadId, lead, ...(moved && { transition: moved }) };
  });
  const floorBefore = await floor(client, tableName, leadWrites, lanes, 3, { query: false });
  progress(`rescore: calibration floor ${round(floorBefore, 2)} s; the calibration from the snapshots…`);
  const { seconds, progress: done } = await timedRun(
    client,
    tableName,
    { kind: "rescore", model: runModelOf(calibration), notify: false },
    calibration,
    "calibration",
  );
  const floorAfter = await floor(client, tableName, leadWrites, lanes, 4, { query: false });
  const { tally } = done;
  progress(`rescore: calibration ${round(seconds, 2)} s; floor ${round(floorAfter, 2)} s`);
  const floorSeconds = [floorBefore, floorAfter];
  const floorRate = leadsPerSecondOver(floorSeconds);
  const leadsPerSecond = RESCORE_LEADS / seconds;
  return {
    model: { from: current.modelVersion, to: calibration.modelVersion },
    seconds: round(seconds, 2),
    leadsPerSecond: Math.round(leadsPerSecond),
    rescored: tally.rescored ?? 0,
    replayed: tally.replayed ?? 0,
    moved: tally.moved ?? 0,
    writeUnits: round(tally.writeUnits ?? 0, 1),
    readUnits: round(tally.readUnits ?? 0, 1),
    floor: { seconds: floorSeconds.map((value) => round(value, 2)), leadsPerSecond: Math.round(floorRate) },
    ratio: round(leadsPerSecond / floorRate, 2),
  };
}

/**
 * The default model under another version, its mql threshold lowered from 40 to 20 and its half-life
 * from 45 to 40 days: a change the snapshots can't take, so every lead is replayed.
 */
export function candidateOf(current: ScoringEngine): ScoringEngine {
  const model = structuredClone(loadModel());
  model.version = `${current.modelVersion}-bench-rescore`;
  model.engagement.halfLifeDays = 40;
  lowerMql(model, 20);
  return budgetedEngine(model, "bench candidate");
}

/** Every mql score threshold of `model` lowered to at most `mql`. */
function lowerMql(model: ReturnType<typeof loadModel>, mql: number): void {
  for (const rule of model.stages.mql ?? []) {
    const when = rule.when as { score?: { min?: number } };
    if (when.score?.min !== undefined) when.score.min = Math.min(when.score.min, mql);
  }
}

/**
 * What the floor writes for one lead: its lead item as seeded (so the table still needs its rescore:
 * the rescore's own lead item is the same size), and the transition the rescore inserts when it moves.
 */
interface RescoreWrite {
  leadId: string;
  lead: Lead;
  transition?: Transition;
}

/**
 * The leads as ingest would have left them (folded by the current model), written in batches; returns
 * what the floor writes for each.
 */
export async function seed(
  client: DynamoDBClient,
  tableName: string,
  current: ScoringEngine,
  candidate: ScoringEngine,
): Promise<RescoreWrite[]> {
  const start = Date.now() - 30 * 86_400_000;
  const requests: WriteRequest[] = [];
  const writes: RescoreWrite[] = [];
  const now = new Date();
  for (let index = 0; index < RESCORE_LEADS; index++) {
    const lead = benchLead("rescore", index);
    const steps = JOURNEY.slice(index % 2, (index % 2) + RESCORE_EVENTS_PER_LEAD);
    const bodies = steps.map((step, n) =>
      journeyWebhook(lead, step, `rescore-${index}-${n}`, new Date(start + index * 60_000 + n * 3_600_000)),
    );
    const history = foldBodies(current, bodies);
    for (const event of history.events) {
      requests.push({
        PutRequest: { Item: eventItem(history.lead.leadId, event, BENCH_PSEUDONYMS.eventKey(event.eventId)) },
      });
    }
    requests.push({ PutRequest: { Item: leadItem(history.lead) } });
    const leadId = history.lead.leadId;
    const rescored = foldLead({ engine: candidate, leadId, current: history.lead, history: history.events, now });
    if (!rescored) throw new Error("the candidate could not fold a seeded lead");
    writes.push({
      leadId,
      lead: history.lead,
      ...(rescored.transition && { transition: rescored.transition }),
    });
  }
  const batches: WriteRequest[][] = [];
  for (let at = 0; at < requests.length; at += 25) batches.push(requests.slice(at, at + 25));
  await ensureTable(client, tableName);
  await mapConcurrent(batches, 8, (batch) => batchWrite(client, tableName, batch));
  return writes;
}

/**
 * The floor: per lead, the consistent Query of its events and one TransactWriteItems putting the items
 * a rescore writes for it (a lead item, one version up and conditioned on the version read; a new
 * transition when it moves), at `lanes` at once. The versions are read first, untimed: the floor is
 * only the round trips a rescore cannot avoid.
 */
export async function floor(
  client: DynamoDBClient,
  tableName: string,
  writes: readonly RescoreWrite[],
  lanes: number,
  pass: number,
  options: { query: boolean } = { query: true },
): Promise<number> {
  const versions = new Map<string, number>();
  let start: Record<string, Item[keyof Item]> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: `${SK} = :lead`,
        ExpressionAttributeValues: marshall({ ":lead": LEAD_SK }),
        ...(start && { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? [])
      if (entityOf(item) === LEAD) versions.set(toLead(item).leadId, toLead(item).version);
    start = page.LastEvaluatedKey;
  } while (start);
  const began = performance.now();
  await mapConcurrent(writes, lanes, async (write) => {
    const version = versions.get(write.leadId) ?? 0;
    if (options.query) {
      await client.send(
        new QueryCommand({
          TableName: tableName,
          ...tablePartition(leadPk(write.leadId), EVENT_PREFIX),
          ConsistentRead: true,
        }),
      );
    }
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: leadItem({ ...write.lead, version: version + 1 }),
              ...leadPutCondition(version),
            },
          },
          // A new transition each pass, as the rescore inserts one (an overwrite costs DynamoDB Local more).
          ...(write.transition
            ? [
                {
                  Put: {
                    TableName: tableName,
                    Item: transitionItem({
                      ...write.transition,
                      transitionId: `${write.transition.transitionId}-${pass}`,
                    }),
                  },
                },
              ]
            : []),
        ],
      }),
    );
  });
  return (performance.now() - began) / 1000;
}

/**
 * A run over the bench's table by its local workers, timed from its start to its last part; it must
 * have examined every lead, with nothing refused or dead-lettered.
 */
async function timedRun(
  client: DynamoDBClient,
  tableName: string,
  request: RunRequest,
  engine: ScoringEngine,
  what: string,
  known?: readonly ScoringEngine[],
): Promise<{ seconds: number; progress: RunProgress }> {
  const began = performance.now();
  const result = await runLocally(request, {
    table: { client, tableName },
    engine,
    ...(known && { known }),
    workers: RESCORE_WORKERS,
    concurrency: RESCORE_CONCURRENCY,
  });
  const seconds = (performance.now() - began) / 1000;
  const { tally } = result.progress;
  if (result.run.refused || result.deadLetters.length > 0 || tally.examined !== RESCORE_LEADS) {
    throw new Error(`the ${what} did not finish: ${JSON.stringify({ refused: result.run.refused, tally })}`);
  }
  return { seconds, progress: result.progress };
}

/** The bench's leads per second over the mean of a floor's passes. */
function leadsPerSecondOver(seconds: readonly number[]): number {
  return RESCORE_LEADS / (seconds.reduce((sum, value) => sum + value, 0) / seconds.length);
}
