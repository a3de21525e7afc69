import type { TestProject } from "vitest/node";
import { compileModelFile } from "#shared/runtime/scoring-model";

declare module "vitest" {
  interface ProvidedContext {
    /** The default model compiled once, as the build compiles it: the handler modules read it at import. */
    compiledModel: string;
  }
}

export default function setup(project: TestProject): void {
  // The SDK warns once per process that Node 20 support ends; the tests run on Node 20 on purpose.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  project.provide("compiledModel", compileModelFile().compiled);
}
