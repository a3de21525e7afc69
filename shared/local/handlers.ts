import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { FUNCTIONS, type FunctionName } from "#shared/runtime/routes";

/** A Lambda handler as the Node.js runtime calls it. */
export type LambdaHandler<Event = never, Result = unknown> = (event: Event, context: Context) => Promise<Result>;

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const modules = new Map<string, Promise<{ handler?: unknown }>>();
/** The environment the first handler module was imported with; see importHandler. */
let importedWith: Readonly<Record<string, string>> | undefined;

export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

/**
 * The handler of a function's entry module (FUNCTIONS[name].entry), imported once per process like a
 * warm Lambda container. The modules read `env` at import and keep it, so every runtime in one process
 * must run with the same values; a different set is refused rather than served with stale ones.
 */
export async function importHandler<Handler>(name: string, env: Readonly<Record<string, string>>): Promise<Handler> {
  if (!isFunctionName(name)) throw new Error(`no function named "${name}" in FUNCTIONS (shared/runtime/routes.ts)`);
  assertSameEnvironment(env);
  const entry = FUNCTIONS[name].entry;
  let loading = modules.get(entry);
  if (!loading) {
    loading = import(/* @vite-ignore */ pathToFileURL(resolve(ROOT, entry)).href);
    modules.set(entry, loading);
  }
  const module = await loading;
  if (typeof module.handler !== "function") throw new Error(`${entry} does not export a handler function`);
  return module.handler as Handler;
}

function assertSameEnvironment(env: Readonly<Record<string, string>>): void {
  if (!importedWith) {
    importedWith = { ...env };
    return;
  }
  const previous = importedWith;
  const changed = [...new Set([...Object.keys(previous), ...Object.keys(env)])].filter(
    (key) => previous[key] !== env[key],
  );
  if (changed.length > 0) {
    // Names only: values may be secrets.
    throw new Error(
      `the handler modules were imported in this process with a different ${changed.join(", ")}; ` +
        "they read the environment once, so run one Ripen configuration per process",
    );
  }
}
