import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoLeadPages } from "../adapters/dynamodb/lead-pages";
import { dynamoLeadStore } from "../adapters/dynamodb/lead-store";
import { dynamoRunStore } from "../adapters/dynamodb/runs";
import { dynamoSlaBreachLog } from "../adapters/dynamodb/sla-breaches";
import { parseModelText } from "../adapters/model-file";
import type { RunModel, WorkQueue } from "../application/lead-runs";
import { capacityMeter } from "../application/pacing";
import type { RunWorkerDeps } from "../application/run-worker";
import type { ScoringEngine } from "../domain/scoring";
import { budgetedEngine } from "./engine";

const compiled = new Map<string, ScoringEngine>();

/**
 * A model a run carries as text (a preview's candidate), compiled once per process, by content hash;
 * undefined for a model that travels without its text.
 */
export function compileRunModel(model: RunModel): ScoringEngine | undefined {
  const known = compiled.get(model.hash);
  if (known) return known;
  if (model.source === undefined) return undefined;
  const engine = budgetedEngine(parseModelText(model.source, `model ${model.version}`), `model ${model.version}`);
  if (engine.modelHash !== model.hash) {
    throw new Error(`model ${model.version}: its text compiles to another model than the run names`);
  }
  compiled.set(model.hash, engine);
  return engine;
}

/** The model an engine runs, as a run names it (with the file's text when the workers need it). */
export function runModelOf(engine: ScoringEngine, source?: string): RunModel {
  return { version: engine.modelVersion, hash: engine.modelHash, ...(source !== undefined && { source }) };
}

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/**
 * A worker over the table: its own store and pages reporting the capacity they consume to its own meter
 * (its pace is its own share of the run's budget). One per Lambda invocation, one per local worker.
 */
export function tableRunWorker(input: {
  table: { client: DynamoDBClient; tableName: string };
  engine: ScoringEngine;
  queue: WorkQueue;
  timeLeft?: () => number;
  concurrency?: number;
  log?: RunWorkerDeps["log"];
  /** Items a Scan page reads (smaller pages: more checkpoints). */
  scanPageItems?: number;
}): RunWorkerDeps {
  const capacity = capacityMeter();
  const onCapacity = capacity.record.bind(capacity);
  return {
    runs: dynamoRunStore(input.table),
    pages: dynamoLeadPages({
      ...input.table,
      onCapacity,
      ...(input.scanPageItems !== undefined && { scanPageItems: input.scanPageItems }),
    }),
    queue: input.queue,
    store: dynamoLeadStore({ ...input.table, onCapacity }),
    capacity,
    engine: input.engine,
    compile: compileRunModel,
    breaches: dynamoSlaBreachLog(input.table),
    clock: () => new Date(),
    sleep,
    ...(input.timeLeft && { timeLeft: input.timeLeft }),
    ...(input.concurrency !== undefined && { concurrency: input.concurrency }),
    ...(input.log && { log: input.log }),
  };
}
