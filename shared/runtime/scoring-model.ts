import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { modelFileName } from "#shared/adapters/compiled-model-file";
import { readModelFile } from "#shared/adapters/model-file";
import { InvalidModelError } from "#shared/domain/model/problems";
import type { ScoringModel } from "#shared/domain/model/schema";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { budgetedEngine, compileModel } from "./compiled-engine";

export const MODEL_FILE = "ripen.model.yaml";

/**
 * Where the model file is: RIPEN_MODEL when set; otherwise the nearest `ripen.model.yaml` above this
 * module (the repo root), then the working directory. A Lambda package carries no YAML: the build
 * compiles this file into the artefact its functions read (compileModelFile).
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
 * The model file compiled for the functions (compiled-engine.ts): read and validated here, YAML syntax,
 * schema, references and snapshot budget, with the same InvalidModelError as everywhere; a function's
 * init then only reads the artefact. Returns the model and the artefact's path.
 */
export function compileModelFile(path: string = modelPath()): { model: ScoringModel; compiled: string } {
  const model = loadModel(path);
  return { model, compiled: compileModel(model, modelFileName(path)) };
}

/**
 * The scoring engine of the YAML model, compiled once per process (per model path): the CLI, the local
 * runtime, the benchmarks and the tests. The functions read the compiled model instead (loadCompiledEngine).
 */
export function loadEngine(path: string = modelPath()): ScoringEngine {
  let engine = engines.get(path);
  if (!engine) {
    engine = budgetedEngine(loadModel(path), modelFileName(path));
    engines.set(path, engine);
  }
  return engine;
}
