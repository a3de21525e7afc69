import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { type StreamRecord, transitionFromRecord } from "../shared/adapters/dynamodb/stream";
import { type LeadStageChangedDetail, stageChangedDetail } from "../shared/application/lead-stage-changed";
import { logger } from "../shared/runtime/powertools";

/**
 * The Pipe's enrichment: the filtered stream records in, one `Lead Stage Changed` detail per
 * transition out (the Pipe puts each on the bus). Records that are not transitions are dropped.
 */
export const handler = middy<StreamRecord[], LeadStageChangedDetail[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (records) => {
    const details: LeadStageChangedDetail[] = [];
    for (const record of records) {
      const transition = transitionFromRecord(record);
      if (transition) details.push(stageChangedDetail(transition));
    }
    logger.info("transitions published", { received: records.length, published: details.length });
    return details;
  });
