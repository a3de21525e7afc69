import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { COMPILED_MODEL_FILE, readCompiledModel } from "#shared/adapters/compiled-model-file";
import { InvalidModelError } from "#shared/domain/model/problems";
import { compiledModelPath, loadCompiledChannels, loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { compileModelFile, loadEngine, loadModel } from "#shared/runtime/scoring-model";
import { DEFAULT_MODEL_PATH, journey, stored } from "./journeys";

const folder = () => mkdtempSync(join(tmpdir(), "ripen-compiled-"));

/** The default model's artefact, copied to a file of the test's own, with `edit` applied to its text. */
function editedArtefact(edit: (text: string) => string): string {
  const path = join(folder(), COMPILED_MODEL_FILE);
  writeFileSync(path, edit(readFileSync(compileModelFile(DEFAULT_MODEL_PATH).compiled, "utf8")));
  return path;
}

function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidModelError);
    return (error as Error).message;
  }
  throw new Error("it loaded");
}

const SQL_JOURNEY = [
  stored({ type: "trial.started", at: "2026-03-02T09:00:00Z", attributes: { companySize: 35 } }),
  stored({
    type: "form.submitted",
    at: "2026-03-03T09:00:00Z",
    properties: { formTitle: "Book a demo" },
    answers: { "What's your budget for this?": "$10k–$25k a year" },
  }),
  stored({ type: "demo.completed", at: "2026-03-06T15:00:00Z" }),
];

describe("the compiled model a function reads at init", () => {
  it("gives the engine of its YAML: the same model, the same model hash on snapshots, the same leads", () => {
    // Prepare
    const { compiled } = compileModelFile(DEFAULT_MODEL_PATH);

    // Act
    const fromArtefact = loadCompiledEngine(compiled);
    const fromYaml = loadEngine(DEFAULT_MODEL_PATH);

    // Assess
    expect(readCompiledModel(compiled).model).toEqual(loadModel(DEFAULT_MODEL_PATH));
    expect(fromArtefact.modelHash).toBe(fromYaml.modelHash);
    expect(fromArtefact.modelVersion).toBe(fromYaml.modelVersion);
    expect(journey(fromArtefact, SQL_JOURNEY)).toEqual(journey(fromYaml, SQL_JOURNEY));
    expect(journey(fromArtefact, SQL_JOURNEY).lead.snapshot?.model).toBe(fromYaml.modelHash);
  });

  it("is written at one path per model, so every run of the same model reads the same file", () => {
    expect(compileModelFile(DEFAULT_MODEL_PATH).compiled).toBe(compileModelFile(DEFAULT_MODEL_PATH).compiled);
  });

  it("records the YAML it came from, so a problem found at init names the same file the build read", () => {
    expect(readCompiledModel(compileModelFile(DEFAULT_MODEL_PATH).compiled).source).toBe("ripen.model.yaml");
  });

  it("is found through RIPEN_COMPILED_MODEL, and otherwise beside the module (the bundle's folder)", () => {
    expect(compiledModelPath({ RIPEN_COMPILED_MODEL: "/srv/ripen/model.json" })).toBe("/srv/ripen/model.json");
    expect(compiledModelPath({})).toBe(
      join(dirname(fileURLToPath(import.meta.url)), "../../../shared/runtime", COMPILED_MODEL_FILE),
    );
  });
});

describe("a broken compiled model", () => {
  it("stops the init when it changed after the build", () => {
    const path = editedArtefact((text) => text.replace('"points":30', '"points":300'));

    expect(messageOf(() => loadCompiledEngine(path))).toBe(
      `${path} is not a valid scoring model:\n` +
        "  - (file): does not match its checksum: it changed after the build; build it again from the YAML model",
    );
  });

  it("gives a notifier the channels the engine would, for every move, without building an engine", () => {
    // Prepare
    const { compiled } = compileModelFile(DEFAULT_MODEL_PATH);
    const engine = loadEngine(DEFAULT_MODEL_PATH);
    const stages = ["lead", "mql", "sal", "sql", "sqo", "disqualified", "recycled"] as const;
    const moves = [null, ...stages].flatMap((from) => stages.map((to) => ({ from, to })));

    // Act
    const channels = loadCompiledChannels(compiled);

    // Assess
    for (const move of moves) expect(channels(move), JSON.stringify(move)).toEqual(engine.channelsFor(move));
    expect(moves.some((move) => channels(move).length > 0)).toBe(true);
  });

  it("stops a notifier's init as an engine's when it changed after the build", () => {
    const path = editedArtefact((text) => text.replace('"points":30', '"points":300'));

    expect(messageOf(() => loadCompiledChannels(path))).toMatch(/does not match its checksum/);
  });

  it("stops the init when it is cut short", () => {
    const path = editedArtefact((text) => text.slice(0, text.length / 2));

    expect(messageOf(() => loadCompiledEngine(path))).toMatch(
      /is not a valid scoring model:\n {2}- \(file\): is not a compiled model \(.+\); build it again from the YAML model$/,
    );
  });

  it("stops the init when it is of another format, or a model file that was never compiled", () => {
    const otherFormat = editedArtefact((text) => text.replace('{"compiledModel":1,', '{"compiledModel":2,'));
    const bareModel = editedArtefact(() => JSON.stringify(loadModel(DEFAULT_MODEL_PATH)));

    for (const path of [otherFormat, bareModel]) {
      expect(messageOf(() => loadCompiledEngine(path))).toBe(
        `${path} is not a valid scoring model:\n` +
          "  - (file): is not a compiled model of format 1; build it again from the YAML model",
      );
    }
  });

  it("stops the init when it is missing", () => {
    const path = join(folder(), COMPILED_MODEL_FILE);

    expect(messageOf(() => loadCompiledEngine(path))).toMatch(/\(file\): cannot be read: ENOENT/);
  });
});

describe("compiling a model", () => {
  it("refuses an invalid model with the message every other reader gives", () => {
    const path = join(folder(), "ripen.model.yaml");
    writeFileSync(path, "version: v1\nstages:\n  acceptance: sometimes\n");

    expect(messageOf(() => compileModelFile(path))).toBe(messageOf(() => loadEngine(path)));
    expect(messageOf(() => compileModelFile(path))).toMatch(/stages\.acceptance \(line 3:15\): Invalid option/);
  });

  it("refuses a model whose snapshot could outgrow the budget, so it never reaches a function", () => {
    const path = join(folder(), "greedy.yaml");
    const rules = Array.from(
      { length: 40 },
      (_, index) =>
        `    - { id: r${index}, label: Rule ${index}, on: page.viewed, points: 1, cap: { max: 1000, perDays: 30 } }`,
    );
    writeFileSync(path, ["version: greedy-1", "engagement:", "  rules:", ...rules, ""].join("\n"));

    expect(messageOf(() => compileModelFile(path))).toBe(messageOf(() => loadEngine(path)));
    expect(messageOf(() => compileModelFile(path))).toMatch(/over the budget of 65536/);
  });
});
