import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { parseCompiledModel } from "#shared/adapters/compiled-model-file";
import { dynamoLeadPages } from "#shared/adapters/dynamodb/lead-pages";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { dynamoRunStore } from "#shared/adapters/dynamodb/runs";
import { dynamoSlaBreachLog } from "#shared/adapters/dynamodb/sla-breaches";
import { capacityMeter } from "#shared/application/pacing/token-bucket";
import type { RunModel, WorkQueue } from "#shared/application/ports/runs";
import type { RunWorkerDeps } from "#shared/application/run-worker";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { budgetedEngine } from "./compiled-engine";

const compiled = new Map<string, ScoringEngine>();

/**
 * A model a run carries as a compiled artefact's text (a preview's models: compiledModelText), compiled
 * once per process, by content hash; undefined for a model that travels without it.
 */
export function compileRunModel(model: RunModel): ScoringEngine | undefined {
  const known = compiled.get(model.hash);
  if (known) return known;
  if (model.source === undefined) return undefined;
  const compiledModel = parseCompiledModel(model.source, `model ${model.version}`);
  const engine = budgetedEngine(compiledModel.model, compiledModel.source);
  if (engine.modelHash !== model.hash) {
    throw new Error(`model ${model.version}: its text compiles to another model than the run names`);
  }
  compiled.set(model.hash, engine);
  return engine;
}

/** The model an engine runs, as a run names it (with its compiled artefact's text when the workers need it). */
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
