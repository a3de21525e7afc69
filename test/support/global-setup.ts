import type { TestProject } from "vitest/node";
import { JavaUnavailableError, startDynamoDbLocal } from "#shared/local/dynamodb-local";
import { compileModelFile } from "#shared/runtime/scoring-model";

declare module "vitest" {
  interface ProvidedContext {
    /** The DynamoDB endpoint every test file shares; each file makes its own table (support/dynamodb.ts). */
    dynamodbEndpoint: string;
    /** Why there is no endpoint ("" when there is one): unit tests still run without Java. */
    dynamodbUnavailable: string;
    /** The default model compiled once, as the build compiles it: the handler modules read it at import. */
    compiledModel: string;
  }
}

/**
 * One in-memory DynamoDB Local for the whole run (a JVM per test file would cost seconds each), or the
 * engine DYNAMODB_ENDPOINT names. Without Java the tests that need DynamoDB fail with the fix; the rest run.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // The SDK warns once per process that Node 20 support ends; the tests run on Node 20 on purpose.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  project.provide("compiledModel", compileModelFile().compiled);
  const external = process.env.DYNAMODB_ENDPOINT;
  if (external) {
    project.provide("dynamodbEndpoint", external);
    project.provide("dynamodbUnavailable", "");
    return undefined;
  }
  try {
    const engine = await startDynamoDbLocal();
    project.provide("dynamodbEndpoint", engine.endpoint);
    project.provide("dynamodbUnavailable", "");
    return () => engine.stop();
  } catch (error) {
    if (!(error instanceof JavaUnavailableError)) throw error;
    project.provide("dynamodbEndpoint", "");
    project.provide("dynamodbUnavailable", error.message);
    return undefined;
  }
}
