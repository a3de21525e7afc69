import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/** The account id local events and ARNs carry (the one AWS documentation uses). */
export const LOCAL_ACCOUNT_ID = "123456789012";

export interface InvocationOptions {
  functionName: string;
  region: string;
  memoryMb?: number;
  /** What getRemainingTimeInMillis counts down from; nothing enforces it locally. */
  timeoutMs?: number;
}

/** A Lambda context for one local invocation, shaped as the Node.js runtime provides it. */
export function lambdaContext(options: InvocationOptions): Context {
  const { functionName, region, memoryMb = 256, timeoutMs = 30_000 } = options;
  const startedAt = Date.now();
  const day = new Date(startedAt).toISOString().slice(0, 10).replaceAll("-", "/");
  const ignore = () => {};
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]local`,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
    done: ignore,
    fail: ignore,
    succeed: ignore,
  };
}
