import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { SQSEvent } from "aws-lambda";
import { sqsWorkQueue, workItemOf } from "#shared/adapters/sqs/work-queue";
import { workOnPart } from "#shared/application/run-worker";
import { dynamodbClient, sqsClient } from "#shared/runtime/aws-clients";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { FUNCTION_ENV, readEnv } from "#shared/runtime/env";
import { tableRunWorker } from "#shared/runtime/lead-run-workers";
import { logger } from "#shared/runtime/powertools";
import { tracing } from "#shared/runtime/tracing";
import { WORK_QUEUE } from "#shared/runtime/work-queue";

const env = readEnv(FUNCTION_ENV.worker);
const table = { client: dynamodbClient(), tableName: env.TABLE_NAME };
const queue = sqsWorkQueue({ client: sqsClient(), queueUrl: String(env[WORK_QUEUE.urlVariable]) });
const engine = loadCompiledEngine();

/**
 * A run's worker (SQS, one message at a time): works on one part of a rescore, a preview or the daily
 * sweep until it is done or time runs short (then hands it over). A failure throws: the message comes
 * back after the queue's visibility timeout and the part goes on from its last checkpoint.
 */
export const handler = middy<SQSEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(tracing())
  .handler(async (event, context) => {
    for (const record of event.Records) {
      const item = workItemOf(record.body);
      if (!item) {
        logger.warn("work item dropped: not a work item", { messageId: record.messageId });
        continue;
      }
      const worker = tableRunWorker({
        table,
        engine,
        queue,
        timeLeft: () => context.getRemainingTimeInMillis(),
        concurrency: WORK_QUEUE.concurrency,
        log: (message, fields) => logger.info(message, fields),
      });
      const outcome = await workOnPart({ ...worker, reserveMs: WORK_QUEUE.reserveMs })(item);
      logger.info("work item", {
        ...item,
        ...outcome,
        readUnits: worker.capacity.read,
        writeUnits: worker.capacity.written,
      });
    }
  });
