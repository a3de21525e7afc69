import type { TestProject } from "vitest/node";
import { type DynamoDbLocal, JavaUnavailableError, startDynamoDbLocal } from "#shared/local/dynamodb-local";

declare module "vitest" {
  interface ProvidedContext {
    /** The DynamoDB endpoint every test file shares; each file makes its own table (support/dynamodb.ts). */
    dynamodbEndpoint: string;
    /** Why there is no endpoint ("" when there is one): the files that need none still run without Java. */
    dynamodbUnavailable: string;
  }
}

type Engine = { endpoint: string; unavailable: string; stop: () => Promise<void> };
/** Shared by the projects of one run: each project loads this file on its own, the main process is one. */
const shared = globalThis as { ripenDynamoDb?: { engine: Promise<Engine>; users: number } };

/**
 * One in-memory DynamoDB Local for the whole run (a JVM per test file would cost seconds each), or the
 * engine DYNAMODB_ENDPOINT names; only the projects that list this file start it. Without Java the tests
 * that need DynamoDB fail with the fix.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.ripenDynamoDb ??= { engine: startEngine(), users: 0 };
  const run = shared.ripenDynamoDb;
  run.users += 1;
  const engine = await run.engine;
  project.provide("dynamodbEndpoint", engine.endpoint);
  project.provide("dynamodbUnavailable", engine.unavailable);
  return async () => {
    run.users -= 1;
    if (run.users > 0) return;
    shared.ripenDynamoDb = undefined;
    await engine.stop();
  };
}

async function startEngine(): Promise<Engine> {
  const external = process.env.DYNAMODB_ENDPOINT;
  if (external) return { endpoint: external, unavailable: "", stop: async () => {} };
  try {
    const engine: DynamoDbLocal = await startDynamoDbLocal();
    return { endpoint: engine.endpoint, unavailable: "", stop: () => engine.stop() };
  } catch (error) {
    if (!(error instanceof JavaUnavailableError)) throw error;
    return { endpoint: "", unavailable: error.message, stop: async () => {} };
  }
}
