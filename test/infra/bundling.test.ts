import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type CfnElement, Duration, Stack } from "aws-cdk-lib";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import { EventBus } from "aws-cdk-lib/aws-events";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { beforeAll, describe, expect, it } from "vitest";
import { COMPILED_MODEL_FILE, compiledModelText } from "#shared/adapters/compiled-model-file";
import { FUNCTIONS } from "#shared/runtime/routes";
import { compileModelFile, loadModel } from "#shared/runtime/scoring-model";
import { RipenFunction } from "../../infra/ripen-function";

/**
 * What each function's bundle may weigh, minified, source map aside (KiB). A bundle is read and compiled
 * at every cold start: growing one is a decision, taken here, with the figures of `npm run bench -- init`.
 */
const BUNDLE_BUDGET_KIB: Record<string, number> = {
  // The webhook path: every sender waits on its cold start. Standard Webhooks on the generic route and
  // the refusals counted per sender took it just past 385; the fold's one-shape event decoder, its
  // canonical times read digit by digit with a table of months, and reasons made without every hit
  // (replay 2-4 %, 1-4 % and about 3 % faster) just past 391.
  ingest: 395,
  // The lead page and its link check: +3 KiB; the same fold changes as ingest's just past 381.
  read: 385,
  publish: 110,
  "notify-slack": 325,
  // Reads the link key for each alert's page link: the Secrets Manager client, +15 KiB.
  "notify-email": 400,
  // The lead page's actions and the SDR gate's Qualify took it just past 355; the snapshots' fold hash
  // (a model that changes only what evaluation reads keeps every snapshot) just past 360.
  actions: 362,
  erase: 315,
  // Starts the sweep's run: the SQS client to put its work items on the queue.
  maintenance: 340,
  worker: 370,
};

const TRACED = "ingest-traced";

/** Every function bundled by the stack's own esbuild step, once for the file: name → the asset's folder. */
const packages = new Map<string, string>();

beforeAll(() => {
  const app = new App({ context: { "aws:cdk:enable-asset-metadata": true } });
  const stack = new Stack(app, "Bundle");
  const shared = {
    permissions: {},
    table: new Table(stack, "Table", { partitionKey: { name: "pk", type: AttributeType.STRING } }),
    bus: new EventBus(stack, "Bus"),
    secret: new Secret(stack, "Secret"),
    idKey: new Secret(stack, "IdKey"),
    publicUrl: "https://example.com/",
    timeout: Duration.seconds(10),
    logRetention: RetentionDays.ONE_WEEK,
    tracing: false,
    compiledModel: compileModelFile().compiled,
  };
  const functions = [
    ...Object.entries(FUNCTIONS).map(
      ([name, definition]) => [name, new RipenFunction(stack, name, { definition, ...shared })] as const,
    ),
    // ingest as a stack with `ripen:tracing` builds it.
    [TRACED, new RipenFunction(stack, TRACED, { definition: FUNCTIONS.ingest, ...shared, tracing: true })] as const,
  ];
  const assembly = app.synth();
  const resources = assembly.getStackArtifact(stack.artifactId).template.Resources as Record<
    string,
    { Metadata?: Record<string, string> }
  >;
  for (const [name, ripenFunction] of functions) {
    const logicalId = stack.getLogicalId(ripenFunction.handler.node.defaultChild as CfnElement);
    packages.set(name, join(assembly.directory, resources[logicalId]?.Metadata?.["aws:asset:path"] ?? "missing"));
  }
}, 180_000);

const packageOf = (name: string) => packages.get(name) ?? "missing";

describe("a function's bundle", () => {
  it("is minified ESM with a require shim, a linked source map and no embedded sources", () => {
    // Prepare
    const directory = packageOf("publish");

    // Act
    const code = readFileSync(join(directory, "index.mjs"), "utf8");

    // Assess
    expect(
      code.startsWith("import{createRequire}from'node:module';const require=createRequire(import.meta.url);"),
    ).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*as handler\s*\}/);
    // Minified: a few very long lines (template literals and license comments keep some newlines).
    expect(code.length / code.split("\n").length).toBeGreaterThan(1000);
    expect(code).toContain("//# sourceMappingURL=index.mjs.map");
    expect(existsSync(join(directory, "index.mjs.map"))).toBe(true);
    expect(JSON.parse(readFileSync(join(directory, "index.mjs.map"), "utf8")).sourcesContent).toBeUndefined();
  });

  it.each(Object.keys(FUNCTIONS))(
    "%s ships the model compiled and validated by the build, and neither the YAML nor its parser",
    (name) => {
      // Prepare
      const directory = packageOf(name);

      // Act
      const compiled = readFileSync(join(directory, COMPILED_MODEL_FILE), "utf8");
      const code = readFileSync(join(directory, "index.mjs"), "utf8");

      // Assess
      expect(compiled).toBe(compiledModelText(loadModel(), "ripen.model.yaml"));
      expect(existsSync(join(directory, "ripen.model.yaml"))).toBe(false);
      // The yaml package's own error text: present in any bundle that carries its parser.
      expect(code).not.toContain("Implicit map keys need to be");
    },
  );

  it.each(Object.keys(FUNCTIONS))(
    "%s takes its AWS credentials from the environment alone, without the SDK's other providers",
    (name) => {
      // Act
      const code = readFileSync(join(packageOf(name), "index.mjs"), "utf8");

      // Assess: the default chain's own log lines, present in any bundle that carries it.
      if (name === "ingest") expect(code).toContain("Unable to find environment variable credentials.");
      expect(code).not.toContain("defaultProvider::fromSSO");
      expect(code).not.toContain("defaultProvider::fromIni");
      expect(code).not.toContain("defaultProvider::remoteProvider");
    },
  );

  it("keeps the model's grammar (its zod schemas) out of the webhook path", () => {
    // Act
    const code = readFileSync(join(packageOf("ingest"), "index.mjs"), "utf8");

    // Assess: a description only the model's schema carries.
    expect(code).not.toContain("moves the lead to disqualified, from any stage");
  });

  it.each([...Object.keys(FUNCTIONS), TRACED])("%s builds its schemas with zod/mini, never classic zod", (name) => {
    // Act: the source map names every module that put code in the bundle.
    const { sources } = JSON.parse(readFileSync(join(packageOf(name), "index.mjs.map"), "utf8")) as {
      sources: string[];
    };

    // Assess: classic zod costs a cold start ~100 KB (zod/mini ~40 KB) and a method table per schema;
    // of the locales, only the English one the error details are written in.
    const zod = sources.filter((source) => source.includes("node_modules/zod/"));
    expect(zod.filter((source) => source.includes("/zod/v4/classic/"))).toEqual([]);
    expect(zod.filter((source) => /\/zod\/v4\/locales\/(?!en\.js$|index\.js$)/.test(source))).toEqual([]);
  });

  it("carries the Powertools tracer only when the stack traces", () => {
    // Act
    const plain = readFileSync(join(packageOf("ingest"), "index.mjs"), "utf8");
    const traced = readFileSync(join(packageOf(TRACED), "index.mjs"), "utf8");

    // Assess: the X-Ray SDK's own message, in any bundle that carries it.
    const xray = "Missing AWS Lambda trace data for X-Ray.";
    expect(traced).toContain(xray);
    expect(plain).not.toContain(xray);
    expect(statSync(join(packageOf(TRACED), "index.mjs")).size).toBeGreaterThan(
      statSync(join(packageOf("ingest"), "index.mjs")).size + 50 * 1024,
    );
  });

  it("has a budget for every function, and no budget for a function that is gone", () => {
    expect(Object.keys(BUNDLE_BUDGET_KIB).sort()).toEqual(Object.keys(FUNCTIONS).sort());
  });

  it.each(Object.keys(FUNCTIONS))("%s stays within its bundle budget", (name) => {
    // Act
    const kib = statSync(join(packageOf(name), "index.mjs")).size / 1024;

    // Assess
    expect(kib).toBeLessThanOrEqual(BUNDLE_BUDGET_KIB[name] ?? 0);
  });
});

describe("a function's init", () => {
  /** Imports a package's handler in a fresh Node process, as Lambda's runtime does at a cold start. */
  function coldImport(directory: string, env: Record<string, string> = {}) {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", 'await import("./index.mjs")'], {
      cwd: directory,
      env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", POWERTOOLS_METRICS_DISABLED: "true", ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    return { status: run.status, stderr: run.stderr };
  }

  it("reads the compiled model beside the handler", () => {
    expect(coldImport(packageOf("publish"))).toEqual({ status: 0, stderr: "" });
  });

  it("starts the tracer when the stack traces", () => {
    expect(
      coldImport(packageOf(TRACED), {
        TABLE_NAME: "ripen",
        AWS_LAMBDA_FUNCTION_NAME: "ingest",
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      }),
    ).toEqual({ status: 0, stderr: "" });
  });

  it("names a malformed variable with zod's English message, which zod/mini does not load by itself", () => {
    // Act
    const { status, stderr } = coldImport(packageOf("erase"), { TABLE_NAME: "" });

    // Assess
    expect(status).not.toBe(0);
    expect(stderr).toContain("invalid environment: TABLE_NAME: Too small: expected string to have >=1 characters");
  });

  it("refuses a compiled model changed after the build, naming the file", () => {
    // Prepare: a copy of the package whose model someone edited by hand.
    const directory = mkdtempSync(join(tmpdir(), "ripen-package-"));
    cpSync(packageOf("publish"), directory, { recursive: true });
    const path = join(directory, COMPILED_MODEL_FILE);
    writeFileSync(path, readFileSync(path, "utf8").replace('"points":30', '"points":300'));

    // Act
    const { status, stderr } = coldImport(directory);

    // Assess
    expect(status).not.toBe(0);
    expect(stderr).toContain(
      `${COMPILED_MODEL_FILE} is not a valid scoring model:\n` +
        "  - (file): does not match its checksum: it changed after the build; build it again from the YAML model",
    );
  });
});
