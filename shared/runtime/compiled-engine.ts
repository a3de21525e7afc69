import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPILED_MODEL_FILE, compiledModelText, readCompiledModel } from "#shared/adapters/compiled-model-file";
import { SNAPSHOT_BUDGET_BYTES, snapshotBytes } from "#shared/adapters/dynamodb/lead-codec";
import { createEngine } from "#shared/domain/model/engine";
import { channelsFor, notificationRules } from "#shared/domain/model/notifications";
import { InvalidModelError } from "#shared/domain/model/problems";
import type { ScoringModel } from "#shared/domain/model/schema";
import type { ScoringEngine } from "#shared/domain/scoring-engine";

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

/**
 * Compiles a validated model for the functions: refused here (InvalidModelError, naming `source`) when
 * it could outgrow the snapshot budget, so such a model stops the build rather than a function's init;
 * otherwise written once under the temporary directory, at a path that depends only on the artefact
 * (the same model always gives the same path). Returns that path.
 */
export function compileModel(model: ScoringModel, source: string): string {
  budgetedEngine(model, source);
  const text = compiledModelText(model, source);
  const digest = createHash("sha256").update(text).digest("hex").slice(0, 32);
  const path = join(tmpdir(), "ripen-compiled-models", `${digest}.json`);
  mkdirSync(dirname(path), { recursive: true });
  // Renamed into place: a reader never sees half a file, and two writers write the same bytes.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, path);
  return path;
}

/**
 * Where a function's compiled model is: RIPEN_COMPILED_MODEL when set (`npm start` and the tests set it,
 * running the handlers from source), otherwise `ripen.model.json` beside this module, which in a Lambda
 * package is the bundle's folder, where the build puts it.
 */
export function compiledModelPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RIPEN_COMPILED_MODEL) return resolve(env.RIPEN_COMPILED_MODEL);
  return join(dirname(fileURLToPath(import.meta.url)), COMPILED_MODEL_FILE);
}

const engines = new Map<string, ScoringEngine>();

/**
 * A function's engine: read from the compiled model (no YAML parser, no schema at init; the build did
 * both) and compiled once per process. Call it at module load, so a missing or broken artefact stops
 * the init before the function serves anything. The snapshot budget is not measured again here: the
 * build refused any model over it (compileModel), and the checksum proves the artefact is the one the
 * build checked.
 */
export function loadCompiledEngine(path: string = compiledModelPath()): ScoringEngine {
  let engine = engines.get(path);
  if (!engine) {
    engine = createEngine(readCompiledModel(path).model);
    engines.set(path, engine);
  }
  return engine;
}

/**
 * What a notifier needs of the model: the channels a version 1 stage change (replayed from the archive,
 * from before the publisher stamped them) asks for. Read from the compiled model at module load, as an
 * engine is, so a missing or broken artefact still stops the init; no engine is built (a notifier scores
 * nothing), which keeps the scoring code out of the notifiers' bundles.
 */
export function loadCompiledChannels(path: string = compiledModelPath()): ScoringEngine["channelsFor"] {
  const rules = notificationRules(readCompiledModel(path).model.notifications);
  return (move) => channelsFor(rules, move);
}
