import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "#shared/edge/openapi";
import { runWhenStarted } from "./command";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const OPENAPI_FILE = join(REPO_ROOT, "openapi.json");

/**
 * npm run openapi [-- --out <file>]: writes the OpenAPI 3.1 description of the HTTP API (openapi.json by
 * default), derived from the route table and the zod schemas; the local server serves the same at /openapi.json.
 */
export async function main(args: string[]): Promise<number> {
  const at = args.indexOf("--out");
  if (at >= 0 && !args[at + 1]) throw new Error("--out needs a file name");
  const file = at >= 0 ? resolve(args[at + 1] as string) : OPENAPI_FILE;
  await writeFile(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  console.log(`wrote ${file}`);
  return 0;
}

runWhenStarted(import.meta.url, "openapi", main);
