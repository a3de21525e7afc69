import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SNAPSHOT_BUDGET_BYTES, snapshotBytes } from "../adapters/dynamodb/lead-codec";
import { readModelFile } from "../adapters/model-file";
import { createEngine } from "../domain/model/engine";
import { InvalidModelError } from "../domain/model/parse";
import type { ScoringModel } from "../domain/model/schema";
import type { ScoringEngine } from "../domain/scoring";

export const MODEL_FILE = "ripen.model.yaml";

/**
 * Where the model file is: RIPEN_MODEL when set; otherwise the nearest `ripen.model.yaml` above this
 * module (the repo root when run from source, the bundle's folder in a Lambda package), then the
 * working directory. Lambda bundles must ship the file next to the handler (or set RIPEN_MODEL).
 */
export function modelPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RIPEN_MODEL) return resolve(env.RIPEN_MODEL);
  const candidates: string[] = [];
  for (let folder = moduleFolder(); folder !== undefined; ) {
    candidates.push(join(folder, MODEL_FILE));
    const parent = dirname(folder);
    folder = parent === folder ? undefined : parent;
  }
  candidates.push(resolve(MODEL_FILE));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  throw new InvalidModelError(MODEL_FILE, [
    { path: "(file)", message: `not found; looked in ${[...new Set(candidates)].join(", ")} (or set RIPEN_MODEL)` },
  ]);
}

function moduleFolder(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    // A CommonJS bundle has no import.meta.url: the working directory search still applies.
    return undefined;
  }
}

const engines = new Map<string, ScoringEngine>();

/** The validated model; throws InvalidModelError with every problem and where it is in the file. */
export function loadModel(path: string = modelPath()): ScoringModel {
  return readModelFile(path);
}

/**
 * The scoring engine the application runs with, compiled once per process (per model path).
 * Call it at module load (Lambda init, server start, synth) so an invalid model stops the process
 * before it serves anything, with the same message everywhere.
 */
export function loadEngine(path: string = modelPath()): ScoringEngine {
  let engine = engines.get(path);
  if (!engine) {
    engine = budgetedEngine(loadModel(path), path);
    engines.set(path, engine);
  }
  return engine;
}

/**
 * The engine for a model whose worst-case snapshot fits the budget: a lead's item must stay bounded
 * whatever its history, so a model that could outgrow it is refused before it scores anything.
 */
export function budgetedEngine(model: ScoringModel, origin: string): ScoringEngine & { snapshotBytes: number } {
  const engine = createEngine(model);
  const bytes = snapshotBytes(engine.worstCase());
  if (bytes > SNAPSHOT_BUDGET_BYTES) {
    throw new InvalidModelError(origin, [
      {
        path: "engagement.rules",
        message:
          `a lead's snapshot could reach ${bytes} bytes, over the budget of ${SNAPSHOT_BUDGET_BYTES}: ` +
          "every capped rule keeps up to cap.max scoring times and every withinDays condition atLeast times; lower them or use fewer rules",
      },
    ]);
  }
  return Object.assign(engine, { snapshotBytes: bytes });
}
