import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { COMPILED_MODEL_FILE } from "#shared/adapters/compiled-model-file";
import { FUNCTION_NODE_OPTIONS } from "#shared/runtime/node-options";
import { FUNCTIONS } from "#shared/runtime/routes";
import { compileModelFile } from "#shared/runtime/scoring-model";
import { BUNDLE_ALIASES, bundleDefines, REQUIRE_BANNER } from "../../infra/bundling";
import { runNode } from "./node-process";
import { median } from "./stats";

export const INIT_TARGET = { function: "ingest", ratio: 1.25, everyFunction: 1.5, kib: 450 } as const;
/** The traced build's row: measured beside the others, held to no target (tracing is a choice). */
const TRACED = "ingest with ripen:tracing";
const RUNS = 9;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The least a function that talks to DynamoDB loads: the client and the two commands ingest sends. */
const BARE_ENTRY = `import { DynamoDBClient, QueryCommand, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
const client = new DynamoDBClient({});
export const handler = async (event) =>
  event.write ? client.send(new TransactWriteItemsCommand(event.write)) : client.send(new QueryCommand(event.query));
`;
/** Imports a bundle once, in a fresh process, and prints how long the import (module load + init) took. */
const MEASURE = `const started = performance.now();
await import(process.argv[2]);
process.stdout.write(JSON.stringify({ ms: performance.now() - started }));
`;
/** What the stack sets on every function; values are placeholders, nothing is called at import. */
const FUNCTION_ENV = {
  AWS_REGION: "us-east-1",
  TABLE_NAME: "ripen",
  RIPEN_SECRETS_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ripen-AbCdEf",
  RIPEN_PUBLIC_URL: "https://api.example.com",
  RIPEN_WORK_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/ripen-work",
  RIPEN_FROM_ADDRESS: "alerts@example.com",
  POWERTOOLS_SERVICE_NAME: "ripen",
  POWERTOOLS_METRICS_NAMESPACE: "Ripen",
  NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  // As Lambda's runtime sets them: the tracer (in the traced build) starts as it would there.
  AWS_LAMBDA_FUNCTION_NAME: "ripen-function",
  AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
};

/** How bundleLikeTheStack builds, as the reports say it. */
export const STACK_BUNDLING =
  "esbuild ESM, minified, platform node, target node22, mainFields module,main, source map, SDK bundled; functions with the stack's aliases (credentials from the environment)";

export interface BundleFigure {
  name: string;
  /** Minified bundle, source map excluded. */
  bytes: number;
  gzipBytes: number;
  importMs: { median: number; min: number; max: number };
  /** Median import time over the bare SDK bundle's. */
  ratio: number;
  /** The packages (or source folders) that weigh most in the bundle, minified bytes. */
  largest: { input: string; bytes: number }[];
}

export interface InitResult {
  runs: number;
  bundling: string;
  bare: BundleFigure;
  functions: BundleFigure[];
  target: { function: string; ratio: number; actual: number; met: boolean };
  /** Every function (the traced build aside) against its own ceiling. */
  everyFunction: { ratio: number; worst: { name: string; ratio: number }; met: boolean };
  size: { function: string; kib: number; actual: number; met: boolean };
  /** What `ripen:tracing` adds to ingest: bundle KiB and import ms over the untraced build. */
  tracer?: { kib: number; importMs: number };
}

/**
 * Each function bundled as the CDK stack bundles it (esbuild: ESM, minified, platform node, target node22,
 * source map, the require banner, the SDK bundled in), then imported in a fresh `node` process several
 * times, rounds interleaved; the median against a bare bundle of @aws-sdk/client-dynamodb built and timed
 * in the same run. The compiled model is copied next to each bundle, where the stack's build puts it.
 */
export async function benchInit(log: (line: string) => void): Promise<InitResult> {
  const directory = await mkdtemp(join(tmpdir(), "ripen-bench-init-"));
  try {
    const measure = join(directory, "measure.mjs");
    await writeFile(measure, MEASURE);
    const bundles: ({ name: string } & Built)[] = [];
    const { compiled } = compileModelFile();
    bundles.push({
      name: "bare @aws-sdk/client-dynamodb",
      ...(await bundleLikeTheStack(directory, "bare", { contents: BARE_ENTRY }, compiled)),
    });
    for (const [name, definition] of Object.entries(FUNCTIONS)) {
      bundles.push({ name, ...(await bundleLikeTheStack(directory, name, join(ROOT, definition.entry), compiled)) });
    }
    // The same function as a stack with `ripen:tracing` builds it: what the Powertools tracer costs.
    bundles.push({
      name: TRACED,
      ...(await bundleLikeTheStack(directory, "ingest-traced", join(ROOT, FUNCTIONS.ingest.entry), compiled, {
        tracing: true,
      })),
    });
    log(`init: ${bundles.length} bundles built; importing each ${RUNS} times`);
    const times = new Map<string, number[]>(bundles.map(({ name }) => [name, []]));
    for (let round = 0; round < RUNS; round++) {
      for (const { name, file } of bundles) times.get(name)?.push(await importOnce(measure, file));
    }
    const figures: BundleFigure[] = [];
    for (const { name, file, largest } of bundles) {
      const code = await readFile(file);
      const samples = times.get(name) ?? [];
      figures.push({
        name,
        bytes: code.length,
        gzipBytes: gzipSync(code).length,
        importMs: {
          median: round1(median(samples)),
          min: round1(Math.min(...samples)),
          max: round1(Math.max(...samples)),
        },
        ratio: 1,
        largest,
      });
    }
    const [bare, ...functions] = figures;
    if (!bare) throw new Error("the bare bundle was not measured");
    for (const figure of functions)
      figure.ratio = Math.round((figure.importMs.median / bare.importMs.median) * 100) / 100;
    const ingest = functions.find((figure) => figure.name === INIT_TARGET.function);
    const actual = ingest?.ratio ?? Number.NaN;
    const traced = functions.find((figure) => figure.name === TRACED);
    const worst = functions
      .filter((figure) => figure !== traced)
      .reduce((most, figure) => (figure.ratio > most.ratio ? figure : most));
    const kib = Math.round((ingest?.bytes ?? Number.NaN) / 1024);
    return {
      runs: RUNS,
      bundling: STACK_BUNDLING,
      bare,
      functions,
      target: { function: INIT_TARGET.function, ratio: INIT_TARGET.ratio, actual, met: actual <= INIT_TARGET.ratio },
      everyFunction: {
        ratio: INIT_TARGET.everyFunction,
        worst: { name: worst.name, ratio: worst.ratio },
        met: worst.ratio <= INIT_TARGET.everyFunction,
      },
      size: { function: INIT_TARGET.function, kib: INIT_TARGET.kib, actual: kib, met: kib <= INIT_TARGET.kib },
      ...(traced &&
        ingest && {
          tracer: {
            kib: Math.round((traced.bytes - ingest.bytes) / 1024),
            importMs: round1(traced.importMs.median - ingest.importMs.median),
          },
        }),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export interface Built {
  file: string;
  largest: BundleFigure["largest"];
}

/**
 * Bundles `entry` (a function's source file, or a module's text) into `directory/name/index.mjs` as the
 * stack does, the compiled model beside it. A function gets the stack's aliases; a module given as text
 * (the bare client) keeps the SDK's own credential chain, as anyone's would.
 */
export async function bundleLikeTheStack(
  directory: string,
  name: string,
  entry: string | { contents: string },
  model: string,
  options: { tracing?: boolean } = {},
): Promise<Built> {
  const folder = join(directory, name);
  await mkdir(folder, { recursive: true });
  const outfile = join(folder, "index.mjs");
  const result = await build({
    ...(typeof entry === "string"
      ? {
          entryPoints: [entry],
          alias: { ...BUNDLE_ALIASES },
          define: bundleDefines(options.tracing ?? false),
          absWorkingDir: ROOT,
        }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: "js" as const, sourcefile: `${name}.mjs` } }),
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    logLevel: "error",
  });
  await copyFile(model, join(folder, COMPILED_MODEL_FILE));
  const bytes = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const owner = packageOf(input);
      bytes.set(owner, (bytes.get(owner) ?? 0) + bytesInOutput);
    }
  }
  const largest = [...bytes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([input, size]) => ({ input, bytes: size }));
  return { file: outfile, largest };
}

/** `zod` for node_modules/zod/…, `shared/domain` for shared/domain/…. */
function packageOf(input: string): string {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return dependency?.[1] ?? input.split("/").slice(0, 2).join("/");
}

async function importOnce(measure: string, file: string): Promise<number> {
  const { ms } = await runNode<{ ms: number }>([measure, file], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? "", ...FUNCTION_ENV },
    timeoutMs: 30_000,
    what: `importing ${file}`,
  });
  return ms;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
