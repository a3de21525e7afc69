import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { STAGE_SHARDS } from "#shared/adapters/dynamodb/entities/lead";
import { dynamoRunStore } from "#shared/adapters/dynamodb/runs";
import { sqsWorkQueue } from "#shared/adapters/sqs/work-queue";
import { sweepInstant } from "#shared/application/maintenance";
import { startRun } from "#shared/application/start-run";
import { dynamodbClient, sqsClient } from "#shared/runtime/aws-clients";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { FUNCTION_ENV, readEnv } from "#shared/runtime/env";
import { runModelOf } from "#shared/runtime/lead-run-workers";
import { logger } from "#shared/runtime/powertools";
import { tracing } from "#shared/runtime/tracing";
import { WORK_QUEUE } from "#shared/runtime/work-queue";

const env = readEnv(FUNCTION_ENV.maintenance);
const table = { client: dynamodbClient(), tableName: env.TABLE_NAME };
const queue = sqsWorkQueue({ client: sqsClient(), queueUrl: String(env[WORK_QUEUE.urlVariable]) });
const engine = loadCompiledEngine();

/**
 * The daily sweep (EventBridge Scheduler): starts the hour's sweep run (decay, recycle rules, SLA breaches
 * over leads in open stages, stale leads replayed) and puts its parts on the work queue; the workers do
 * the sweeping. Run again within the hour (a retry), it sends only the parts no worker has taken yet.
 */
export const handler = middy<unknown, { runId: string; parts: number; created: boolean }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(tracing())
  .handler(async () => {
    const started = await startRun({
      runs: dynamoRunStore(table),
      queue,
      clock: () => new Date(),
      workers: WORK_QUEUE.workers,
      stageShards: STAGE_SHARDS,
    })(
      {
        kind: "sweep",
        model: runModelOf(engine),
        asOf: sweepInstant(new Date()),
        minScoreChange: env.RIPEN_SWEEP_MIN_SCORE_CHANGE,
        maxWru: env.RIPEN_SWEEP_MAX_WRU,
      },
      "unstarted",
    );
    const summary = { runId: started.run.runId, parts: started.parts.length, created: started.created };
    logger.info(started.created ? "sweep started" : "sweep already under way", summary);
    return summary;
  });
