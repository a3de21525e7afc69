import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseModelText, readModelFile } from "#shared/adapters/model-file";
import { check, SCHEMA_FILE } from "#shared/cli/model";
import { modelJsonSchema } from "#shared/domain/model/json-schema";
import { InvalidModelError } from "#shared/domain/model/problems";
import { loadEngine, modelPath } from "#shared/runtime/scoring-model";
import { DEFAULT_MODEL_PATH } from "./journeys";

function problems(yaml: string): string[] {
  try {
    parseModelText(yaml, "test.yaml");
  } catch (error) {
    if (error instanceof InvalidModelError)
      return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  throw new Error("the model was valid");
}

function messageOf(yaml: string): string {
  try {
    parseModelText(yaml, "test.yaml");
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the model was valid");
}

describe("the model file", () => {
  it("loads the default model at the repo root", () => {
    const model = readModelFile(DEFAULT_MODEL_PATH);

    expect(model.version).toBe("default-2026.1");
    expect(model.engagement.rules.length).toBeGreaterThan(10);
  });

  it("fills in defaults for the sections it leaves out", () => {
    const model = parseModelText("version: v1\n", "minimal.yaml");

    expect(model).toMatchObject({ format: 1, fit: [], stages: { acceptance: "manual" } });
    expect(model.bant.budget?.from).toEqual(["budget"]);
    expect(model.notifications).toEqual([{ id: "sales-ready", to: ["sql"], channels: ["slack", "email"] }]);
    expect(model.fields.labels.timeline).toContain("when");
  });

  it("names the file, the path, the rule and the line of each problem", () => {
    const yaml = [
      "version: v1", //
      "engagement:",
      "  rules:",
      "    - id: pricing",
      "      label: Pricing page",
      "      on: page.viewed",
      '      points: "five"',
    ].join("\n");

    expect(messageOf(yaml)).toBe(
      [
        "test.yaml is not a valid scoring model:",
        '  - engagement.rules[0].points (id "pricing") (line 7:15): Invalid input: expected number, received string',
      ].join("\n"),
    );
  });

  it("reports a missing key at its parent's line", () => {
    const error = (() => {
      try {
        parseModelText("version: v1\nfit:\n  - id: size\n    label: Size\n    points: 3\n", "test.yaml");
      } catch (caught) {
        return caught as InvalidModelError;
      }
    })();

    expect(error?.problems).toEqual([
      { path: 'fit[0].when (id "size")', message: "missing (expected object)", line: 3, column: 5 },
    ]);
  });

  it("reports YAML syntax errors with their line", () => {
    const error = (() => {
      try {
        parseModelText("version: v1\nfit: [\n", "broken.yaml");
      } catch (caught) {
        return caught as InvalidModelError;
      }
    })();

    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error?.problems[0]).toMatchObject({ path: "(yaml)", line: 3 });
  });

  it("refuses unknown keys, so a typo is not silently ignored", () => {
    expect(problems("version: v1\nengagment:\n  rules: []\n")).toEqual(['(top level): unknown key "engagment"']);
  });

  it("refuses a condition with two tests, or a test without a field", () => {
    const yaml = `version: v1
fit:
  - id: a
    label: A
    when: { field: attributes.size, range: { min: 1 }, pattern: "x" }
    points: 1
  - id: b
    label: B
    when: { equals: 3 }
    points: 1
  - id: c
    label: C
    when: { field: properties.path, exists: true }
    points: 1
`;

    expect(problems(yaml)).toEqual([
      'fit[0].when (id "a"): field "attributes.size" has range and pattern; use one test per condition (combine with all/any)',
      'fit[1].when (id "b"): equals needs a "field" to test',
      'fit[2].when.field (id "c"): unknown field "properties.path": email, domain, name, company or attributes.<name>',
    ]);
  });

  it("refuses bad regular expressions, event types, ranges and caps", () => {
    const yaml = `version: v1
engagement:
  rules:
    - { id: a, label: A, on: Page.Viewed, points: 1 }
    - { id: b, label: B, on: page.viewed, where: { field: properties.path, pattern: "(" }, points: 1 }
    - { id: c, label: C, on: page.viewed, where: { field: properties.n, range: { min: 5, max: 1 } }, points: 1 }
    - { id: d, label: D, on: page.viewed, points: 1, cap: { max: 0 } }
`;

    expect(problems(yaml)).toEqual([
      'engagement.rules[0].on (id "a"): must be an event type like demo.completed or webinar.*',
      'engagement.rules[1].where.pattern (id "b"): not a valid regular expression: Invalid regular expression: /(/i: Unterminated group',
      'engagement.rules[2].where.range (id "c"): min 5 is above max 1',
      'engagement.rules[3].cap.max (id "d"): Too small: expected number to be >=1',
    ]);
  });

  it("checks that ids are unique and that rules, lists and owners referred to exist", () => {
    const yaml = `version: v1
fit:
  - { id: dup, label: A, when: { field: domain, inList: nope }, points: 1 }
engagement:
  rules:
    - { id: dup, label: B, on: page.viewed, points: 1 }
stages:
  sql:
    - { id: s, label: S, when: { rule: missing } }
routing:
  owners: [{ id: ana, name: Ana, email: ana@example.com }]
  rules: [{ id: r, when: { score: { min: 1 } }, owners: [bob] }]
`;

    expect(problems(yaml)).toEqual([
      'engagement.rules[0].id (id "dup"): duplicate id "dup" (first used at fit[0])',
      'routing.rules[0].owners[0] (id "r"): unknown owner "bob" (owners: ana)',
      'fit[0].when.inList (id "dup"): unknown list "nope" (lists: none)',
      'stages.sql[0].when.rule (id "s"): unknown rule "missing": "rule" names a fit or engagement rule',
    ]);
  });

  it("refuses a notification rule on a move the lifecycle never makes", () => {
    const yaml = `version: v1
notifications:
  - { id: back-to-lead, to: [lead], from: [mql, sal], channels: [slack] }
  - { id: after-opportunity, to: [mql, recycled], from: [sqo], channels: [email] }
  - { id: reopened, to: [lead], from: [disqualified], channels: [marketing] }
`;

    expect(problems(yaml)).toEqual([
      'notifications[0].to[0] (id "back-to-lead"): a lead never moves to lead from mql or sal',
      'notifications[1].to[0] (id "after-opportunity"): a lead never moves to mql from sqo',
    ]);
  });

  it("keeps SLA reminders for the owner: no marketing channel there", () => {
    const yaml = `version: v1
stages:
  sla: [{ id: slow, label: Slow, stage: sql, hours: 4, notify: [marketing] }]
`;

    expect(problems(yaml)).toEqual([
      'stages.sla[0].notify[0] (id "slow"): Invalid option: expected one of "slack"|"email"',
    ]);
  });

  it("says so when the file cannot be read", () => {
    expect(() => readModelFile("/nonexistent/ripen.model.yaml")).toThrow(/cannot be read/);
  });
});

describe("loadEngine", () => {
  it("follows RIPEN_MODEL, and otherwise finds ripen.model.yaml above the module", () => {
    expect(modelPath({ RIPEN_MODEL: "/srv/models/candidate.yaml" })).toBe("/srv/models/candidate.yaml");
    expect(modelPath({})).toBe(DEFAULT_MODEL_PATH);
  });

  it("stops with the same InvalidModelError for an invalid model", () => {
    const folder = mkdtempSync(join(tmpdir(), "ripen-model-"));
    const path = join(folder, "ripen.model.yaml");
    writeFileSync(path, "version: v1\nstages:\n  acceptance: sometimes\n");

    expect(() => loadEngine(path)).toThrow(InvalidModelError);
    expect(() => loadEngine(path)).toThrow(
      /stages\.acceptance \(line 3:15\): Invalid option: expected one of "manual"\|"auto"/,
    );
  });

  it("compiles the model once per path", () => {
    expect(loadEngine(DEFAULT_MODEL_PATH)).toBe(loadEngine(DEFAULT_MODEL_PATH));
  });
});

describe("the JSON Schema for editors", () => {
  it("is generated from the zod schema and committed up to date (npm run model -- schema)", () => {
    const committed = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));

    expect(committed).toEqual(modelJsonSchema());
  });

  it("is referenced from the default model for yaml-language-server", () => {
    expect(readFileSync(DEFAULT_MODEL_PATH, "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=./ripen.model.schema.json",
    );
  });

  it("describes rules and conditions, so editors can complete them", () => {
    const schema = modelJsonSchema() as { definitions: Record<string, { properties?: Record<string, unknown> }> };

    expect(Object.keys(schema.definitions.LeadCondition?.properties ?? {})).toEqual(
      expect.arrayContaining(["field", "score", "bant", "event", "rule", "idleDays", "all", "any", "not"]),
    );
    expect(Object.keys(schema.definitions.EngagementRule?.properties ?? {})).toEqual(
      expect.arrayContaining(["id", "label", "on", "where", "points", "cap", "halfLifeDays", "decay"]),
    );
  });
});

describe("npm run model -- check", () => {
  it("summarizes a valid model", () => {
    expect(check(DEFAULT_MODEL_PATH)).toContain("valid\n  version default-2026.1\n  6 fit rules");
  });

  it("shows the notification rules in force, the marketing channel's mql alert included", () => {
    expect(check(DEFAULT_MODEL_PATH)).toContain(
      "notifications: sales-ready → sql (slack, email); marketing-qualified → mql (marketing)",
    );
  });

  it("fails with the model's problems", () => {
    const folder = mkdtempSync(join(tmpdir(), "ripen-check-"));
    const path = join(folder, "candidate.yaml");
    writeFileSync(path, "version: v2\nfit: 3\n");

    expect(() => check(path)).toThrow(/fit \(line 2:6\): Invalid input: expected array, received number/);
  });

  it("says how large a lead's snapshot can grow under the model", () => {
    expect(check(DEFAULT_MODEL_PATH)).toMatch(
      /snapshot: at most \d{3,5} bytes packed per lead, attributes aside \(budget 65536\)/,
    );
  });

  it("refuses a model whose snapshot could outgrow the budget, here and when an engine loads it", () => {
    const folder = mkdtempSync(join(tmpdir(), "ripen-check-"));
    const path = join(folder, "greedy.yaml");
    const rules = Array.from(
      { length: 40 },
      (_, index) =>
        `    - { id: r${index}, label: Rule ${index}, on: page.viewed, points: 1, cap: { max: 1000, perDays: 30 } }`,
    );
    writeFileSync(
      path,
      ["version: greedy-1", "engagement:", "  halfLifeDays: 30", "  rules:", ...rules, ""].join("\n"),
    );

    expect(() => check(path)).toThrow(/snapshot could reach \d+ bytes, over the budget of 65536/);
    expect(() => loadEngine(path)).toThrow(InvalidModelError);
  });

  it("bounds what a snapshot keeps per rule: cap.max and atLeast at most 1,000", () => {
    expect(() =>
      parseModelText(
        "version: v\nengagement:\n  rules:\n    - { id: a, label: A, on: x.y, points: 1, cap: { max: 1001 } }\n",
        "m",
      ),
    ).toThrow(/cap/);
  });
});
