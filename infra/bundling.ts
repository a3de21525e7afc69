/**
 * How every function is bundled, in one place: the stack's esbuild step (infra/ripen-function.ts) and
 * `npm run bench -- init` both read it, so the benchmark measures the packages AWS deploys.
 */

/** ESM bundles have no `require`; some CommonJS dependencies call it. */
export const REQUIRE_BANNER = "import{createRequire}from'node:module';const require=createRequire(import.meta.url);";

/**
 * Packages replaced in a function's bundle (paths relative to the project root, where esbuild runs).
 * The SDK's default credential chain becomes the environment alone, which is where Lambda puts a
 * function's credentials: see shared/runtime/lambda-credentials.ts.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  "@aws-sdk/credential-provider-node": "./shared/runtime/lambda-credentials.ts",
};

/**
 * Build-time constants: whether the Powertools tracer is bundled at all (shared/runtime/tracing.ts).
 * A stack without `ripen:tracing` ships functions with none of it.
 */
export function bundleDefines(tracing: boolean): Record<string, string> {
  return { "process.env.RIPEN_TRACING": JSON.stringify(String(tracing)) };
}
