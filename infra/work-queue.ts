import { Duration } from "aws-cdk-lib";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { WORK_QUEUE } from "#shared/runtime/work-queue";
import { DeadLetterQueue } from "./dead-letter-queue";
import type { RipenFunction } from "./ripen-function";

/** The function that drains the work queue, when FUNCTIONS declares it. */
export const WORKER_FUNCTION = "worker";

/**
 * The work queue of batch runs (rescore, preview, the daily sweep), created only when a worker function
 * exists: encrypted, TLS only, a visibility timeout past the worker's timeout (a crashed worker's item
 * comes back once the worker is surely gone), and a dead-letter queue after WORK_QUEUE.maxReceives
 * deliveries. The worker takes one item at a time, at most WORK_QUEUE.workers at once (the run's write
 * budget is shared among that many). Functions whose permissions name `workQueue` get its URL and may
 * send to it.
 */
export function addWorkQueue(scope: Construct, functions: ReadonlyMap<string, RipenFunction>): Queue | undefined {
  const worker = functions.get(WORKER_FUNCTION);
  if (!worker) return undefined;
  const deadLetters = new DeadLetterQueue(scope, "WorkQueueDeadLetters", "run work items a worker failed every time");
  const queue = new Queue(scope, "WorkQueue", {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(WORK_QUEUE.visibilityTimeoutSeconds),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: WORK_QUEUE.maxReceives },
  });
  worker.handler.addEventSource(
    new SqsEventSource(queue, { batchSize: 1, maxConcurrency: WORK_QUEUE.workers, enabled: true }),
  );
  for (const ripenFunction of functions.values()) {
    if (!ripenFunction.permissions.workQueue) continue;
    queue.grantSendMessages(ripenFunction.role);
    ripenFunction.handler.addEnvironment(WORK_QUEUE.urlVariable, queue.queueUrl);
  }
  return queue;
}
