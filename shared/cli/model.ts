import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { modelFileName } from "#shared/adapters/compiled-model-file";
import { SNAPSHOT_BUDGET_BYTES } from "#shared/adapters/dynamodb/lead-codec";
import { readModelFile } from "#shared/adapters/model-file";
import { modelJsonSchema } from "#shared/domain/model/json-schema";
import { notificationRules } from "#shared/domain/model/notifications";
import { InvalidModelError } from "#shared/domain/model/problems";
import type { ScoringModel } from "#shared/domain/model/schema";
import { budgetedEngine } from "#shared/runtime/compiled-engine";
import { modelPath } from "#shared/runtime/scoring-model";

/**
 * `npm run model -- <command>`: work with the scoring model file.
 *   check [file]          validate a model (default: RIPEN_MODEL or ripen.model.yaml) and summarize it
 *   schema                write ripen.model.schema.json (editor autocompletion) from the zod schema
 *   preview <candidate>   which stored leads a candidate model would move, and counts per stage
 *   rescore               apply the model to every stored lead, writing transitions (resumable)
 *   calibrate             fit the rules' points to the stored leads' outcomes; report, and a candidate model
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SCHEMA_FILE = join(REPO_ROOT, "ripen.model.schema.json");

const USAGE = `usage: npm run model -- <command>
  check [file]          validate a model file (default: RIPEN_MODEL or ripen.model.yaml)
  schema                write ripen.model.schema.json from the model's zod schema
  preview <candidate>   what-if: the stored leads a candidate model would move
  rescore               apply the current model to every stored lead
  calibrate             fit the points to the stored leads' outcomes: [--label won|sqo|qualified] [--holdout f] [--within days] [--out file] [--json]`;

export function summarize(model: ScoringModel): string {
  const { stages } = model;
  const count = (rules: readonly unknown[], noun: string) => `${rules.length} ${noun}`;
  return [
    `version ${model.version}`,
    `${count(model.fit, "fit rules")}, ${count(model.engagement.rules, "engagement rules")}` +
      (model.engagement.halfLifeDays ? `, half-life ${model.engagement.halfLifeDays} days` : ", no decay"),
    `stages: acceptance ${stages.acceptance}; mql ${stages.mql.length}, sql ${stages.sql.length}, sqo ${stages.sqo.length}, ` +
      `disqualify ${stages.disqualify.length}, recycle ${stages.recycle.length}, reopen ${stages.reopen.length}, sla ${stages.sla.length}`,
    `routing: ${model.routing ? `${model.routing.owners.length} owners, ${model.routing.rules.length} rules` : "none"}`,
    `notifications: ${notificationRules(model.notifications)
      .map((rule) => `${rule.id} → ${rule.to.join("/")} (${rule.channels.join(", ")})`)
      .join("; ")}`,
  ].join("\n  ");
}

export function check(file: string): string {
  const model = readModelFile(file);
  const name = modelFileName(file);
  const engine = budgetedEngine(model, name);
  const snapshot = `snapshot: at most ${engine.snapshotBytes} bytes packed per lead, attributes aside (budget ${SNAPSHOT_BUDGET_BYTES})`;
  return `${name}: valid\n  ${summarize(model)}\n  ${snapshot}`;
}

export function writeSchema(path: string = SCHEMA_FILE): string {
  writeFileSync(path, `${JSON.stringify(modelJsonSchema(), null, 2)}\n`);
  // Formatted as the linter wants it, so regenerating never leaves `npm run lint` failing.
  const biome = join(REPO_ROOT, "node_modules", ".bin", "biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", path], { stdio: "ignore" });
  return `wrote ${path}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "check":
      console.log(check(rest[0] ? resolve(rest[0]) : modelPath()));
      return 0;
    case "schema":
      console.log(writeSchema());
      return 0;
    case "calibrate": {
      const { runCalibrate } = await import("./calibrate");
      return runCalibrate(rest);
    }
    case "preview":
    case "rescore": {
      const { runStoreCommand } = await import("./model-store");
      return runStoreCommand(command, rest);
    }
    default:
      console.error(USAGE);
      return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof InvalidModelError ? error.message : error);
      process.exit(1);
    },
  );
}
