import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { slaBreachFromRecord } from "#shared/adapters/dynamodb/entities/sla-breach";
import type { StreamRecord } from "#shared/adapters/dynamodb/entities/stream";
import { transitionFromRecord } from "#shared/adapters/dynamodb/entities/transition";
import type { LeadSlaBreachedDetail } from "#shared/bus/lead-sla-breached";
import { type LeadStageChangedDetail, stageChangedDetail } from "#shared/bus/lead-stage-changed";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { countMetric, logger } from "#shared/runtime/powertools";
import { tracing } from "#shared/runtime/tracing";

/** A bus event's detail, by the kind of item the stream record inserted. */
export type PublishedDetail = LeadStageChangedDetail | LeadSlaBreachedDetail;

// The model's notification rules decide where each change of stage goes: stamped here, once.
const engine = loadCompiledEngine();

/**
 * The detail one stream record publishes: a transition's, with the channels `channelsFor` (the model's
 * notification rules) sends it to (none for a quiet one: a rescore's move, published but alerting no
 * one), or an SLA breach's; undefined for anything else.
 */
export function detailOfRecord(
  record: StreamRecord,
  channelsFor: ScoringEngine["channelsFor"],
): PublishedDetail | undefined {
  const transition = transitionFromRecord(record);
  if (transition) return stageChangedDetail(transition, transition.quiet ? [] : channelsFor(transition));
  return slaBreachFromRecord(record);
}

/**
 * The enrichment of every stream Pipe (STREAM_PUBLICATIONS): the filtered stream records in, one detail
 * per record out, which the Pipe puts on the bus with its publication's detail-type. Each Pipe's filter
 * lets through one kind only (transitions → `Lead Stage Changed`, SLA breaches → `Lead SLA Breached`),
 * so the details of one batch are all of that kind. Records of no known kind are dropped, and counted.
 */
export const handler = middy<StreamRecord[], PublishedDetail[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(tracing())
  .handler(async (records) => {
    const details: PublishedDetail[] = [];
    let transitions = 0;
    let slaBreaches = 0;
    for (const record of records) {
      const detail = detailOfRecord(record, engine.channelsFor);
      if (!detail) continue;
      if ("transitionId" in detail.metadata) {
        transitions++;
        countMetric("Transitions", { stage: (detail as LeadStageChangedDetail).data.to });
      } else {
        slaBreaches++;
        countMetric("SlaBreaches");
      }
      details.push(detail);
    }
    const dropped = records.length - details.length;
    if (dropped > 0) logger.warn("stream records not published", { dropped });
    logger.info("stream records published", { received: records.length, transitions, slaBreaches });
    return details;
  });
