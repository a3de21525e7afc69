import { Duration } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type { Construct } from "constructs";
import { DeadLetterQueue } from "./dead-letter-queue";

/** Lambda's own retries for an asynchronous invocation (a rule or a schedule calling a function). */
export const ASYNC_INVOCATION = { retryAttempts: 2, maxEventAge: Duration.hours(6) };

const queues = new WeakMap<IFunction, DeadLetterQueue>();

/**
 * A target's dead-letter queue only catches events the service could not hand to Lambda. Once Lambda
 * accepted an event, a function that keeps failing drops it: this on-failure destination keeps it.
 * One queue per function, however many rules or schedules invoke it.
 */
export function catchAsyncFailures(scope: Construct, name: string, handler: IFunction): DeadLetterQueue {
  const existing = queues.get(handler);
  if (existing) return existing;
  const queue = new DeadLetterQueue(scope, `${name}FailedInvocations`, `${name} invocations that failed every retry`);
  handler.configureAsyncInvoke({ ...ASYNC_INVOCATION, onFailure: new SqsDestination(queue) });
  queues.set(handler, queue);
  return queue;
}
