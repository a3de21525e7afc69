import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import * as z from "zod/mini";
import { STAGE_SHARDS } from "../shared/adapters/dynamodb/entities/lead";
import { dynamoRunStore } from "../shared/adapters/dynamodb/runs";
import { sqsWorkQueue } from "../shared/adapters/sqs/work-queue";
import { sweepInstant } from "../shared/application/maintenance";
import { startRun } from "../shared/application/start-run";
import { dynamodbClient, sqsClient } from "../shared/runtime/aws-clients";
import { loadCompiledEngine } from "../shared/runtime/compiled-engine";
import { readEnv, tableEnvShape } from "../shared/runtime/env";
import { runModelOf } from "../shared/runtime/lead-run-workers";
import { logger } from "../shared/runtime/powertools";
import { tracing } from "../shared/runtime/tracing";
import { DEFAULT_MAX_WRU, WORK_QUEUE } from "../shared/runtime/work-queue";

const env = readEnv({
  ...tableEnvShape,
  [WORK_QUEUE.urlVariable]: z.url(),
  /** A decayed score is rewritten only when it moved at least this much (fewer writes on big tables). */
  RIPEN_SWEEP_MIN_SCORE_CHANGE: z._default(z.coerce.number().check(z.nonnegative()), 0.01),
  /** The sweep's write budget across its workers (write request units per second). */
  RIPEN_SWEEP_MAX_WRU: z._default(z.coerce.number().check(z.positive()), DEFAULT_MAX_WRU),
});
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
