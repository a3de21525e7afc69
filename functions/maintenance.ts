import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import * as z from "zod";
import { dynamoStageIndex } from "../shared/adapters/dynamodb/lead-queries";
import { dynamoLeadStore } from "../shared/adapters/dynamodb/lead-store";
import { dynamoSlaBreachLog } from "../shared/adapters/dynamodb/sla-breaches";
import { runMaintenance, type SweepSummary } from "../shared/application/maintenance";
import { dynamodbClient } from "../shared/runtime/aws-clients";
import { loadCompiledEngine } from "../shared/runtime/compiled-engine";
import { readEnv, tableEnvShape } from "../shared/runtime/env";
import { logger } from "../shared/runtime/powertools";
import { tracing } from "../shared/runtime/tracing";

const env = readEnv({
  ...tableEnvShape,
  /** A decayed score is rewritten only when it moved at least this much (fewer writes on big tables). */
  RIPEN_SWEEP_MIN_SCORE_CHANGE: z.coerce.number().nonnegative().default(0.01),
});
const table = { client: dynamodbClient(), tableName: env.TABLE_NAME };

/** The daily sweep (EventBridge Scheduler): decay, recycle rules, SLA breaches over leads in open stages. */
export const handler = middy<unknown, SweepSummary>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(tracing())
  .handler(async (_event, context) =>
    runMaintenance({
      index: dynamoStageIndex(table),
      store: dynamoLeadStore(table),
      engine: loadCompiledEngine(),
      breaches: dynamoSlaBreachLog(table),
      clock: () => new Date(),
      progress: (message, fields) => logger.info(message, fields),
      minScoreChange: env.RIPEN_SWEEP_MIN_SCORE_CHANGE,
      timeLeft: () => context.getRemainingTimeInMillis(),
    })(),
  );
