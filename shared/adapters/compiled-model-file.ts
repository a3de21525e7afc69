import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { InvalidModelError } from "#shared/domain/model/problems";
import type { ScoringModel } from "#shared/domain/model/schema";

/** The compiled model a function package carries beside its handler, instead of the YAML. */
export const COMPILED_MODEL_FILE = "ripen.model.json";
/** Bumped when the artefact's shape changes: an artefact of another format is refused, never guessed at. */
const COMPILED_MODEL_FORMAT = 1;

/** The artefact: a model validated by the build, the file it was read from, and a checksum of it. */
export interface CompiledModel {
  compiledModel: typeof COMPILED_MODEL_FORMAT;
  /** The YAML file's name as the build saw it: messages about the model name it, wherever they are raised. */
  source: string;
  sha256: string;
  model: ScoringModel;
}

const checksum = (model: unknown) => createHash("sha256").update(JSON.stringify(model)).digest("base64url");

/** The artefact's text for a model already validated (parseModel or readModelFile) from `source`. */
export function compiledModelText(model: ScoringModel, source: string): string {
  const compiled: CompiledModel = { compiledModel: COMPILED_MODEL_FORMAT, source, sha256: checksum(model), model };
  return `${JSON.stringify(compiled)}\n`;
}

/**
 * Reads an artefact written by compiledModelText. No schema runs here (the build validated the YAML);
 * what is checked is that the file is the build's, whole and unchanged: JSON, this format, and a model
 * that matches its checksum. Anything else is an InvalidModelError naming the file, so a broken package
 * stops the init instead of scoring with a model nobody validated.
 */
export function readCompiledModel(path: string): CompiledModel {
  const name = modelFileName(path);
  const refuse = (message: string) => new InvalidModelError(name, [{ path: "(file)", message }]);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw refuse(`cannot be read: ${(error as Error).message}`);
  }
  return parseCompiledModel(text, name);
}

/**
 * An artefact's text (compiledModelText) read back, checked as readCompiledModel checks a file; `name`
 * is what messages call it. A run carries its models this way, so its workers need no YAML parser.
 */
export function parseCompiledModel(text: string, name: string): CompiledModel {
  const refuse = (message: string) => new InvalidModelError(name, [{ path: "(file)", message }]);
  let compiled: Partial<CompiledModel> | null;
  try {
    compiled = JSON.parse(text);
  } catch (error) {
    throw refuse(`is not a compiled model (${(error as Error).message}); build it again from the YAML model`);
  }
  if (compiled?.compiledModel !== COMPILED_MODEL_FORMAT || typeof compiled.source !== "string") {
    throw refuse(`is not a compiled model of format ${COMPILED_MODEL_FORMAT}; build it again from the YAML model`);
  }
  if (typeof compiled.model !== "object" || compiled.model === null || compiled.sha256 !== checksum(compiled.model)) {
    throw refuse("does not match its checksum: it changed after the build; build it again from the YAML model");
  }
  return compiled as CompiledModel;
}

/** Paths under the working directory are shown relative to it, as a reader would type them. */
export function modelFileName(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === "" || shown.startsWith("..") ? path : shown;
}
