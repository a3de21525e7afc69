import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

/** Compiles the default model once; every project's handler modules read it at import. */
const MODEL = "test/support/model-setup.ts";
/** Starts DynamoDB Local (one JVM for the run, however many projects ask for it). */
const DYNAMODB = "test/support/global-setup.ts";

/** A project per layer: `npm run test:unit` needs neither Java nor a browser; `npm test` runs them all. */
function project(name: string, globalSetup: string[]): TestProjectInlineConfiguration {
  return { extends: true, test: { name, include: [`test/${name}/**/*.test.ts`], globalSetup } };
}

export default defineConfig({
  test: {
    setupFiles: ["test/support/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      project("unit", [MODEL]),
      project("infra", [MODEL]),
      project("integration", [MODEL, DYNAMODB]),
      project("e2e", [MODEL, DYNAMODB]),
      project("reliability", [MODEL, DYNAMODB]),
    ],
  },
});
