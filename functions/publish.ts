import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { slaBreachFromRecord } from "#shared/adapters/dynamodb/entities/sla-breach";
import { sqlReadyFromRecord } from "#shared/adapters/dynamodb/entities/sql-ready";
import type { StreamRecord } from "#shared/adapters/dynamodb/entities/stream";
import { transitionFromRecord } from "#shared/adapters/dynamodb/entities/transition";
import { LEAD_SLA_BREACHED, type LeadSlaBreachedDetail } from "#shared/bus/lead-sla-breached";
import { LEAD_SQL_READY, type LeadSqlReadyDetail, sqlReadyChannels, sqlReadyDetail } from "#shared/bus/lead-sql-ready";
import { type LeadStageChangedDetail, stageChangedDetail } from "#shared/bus/lead-stage-changed";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { countMetric, logger } from "#shared/runtime/powertools";
import { tracing } from "#shared/runtime/tracing";

/**
 * A bus event's detail, by the kind of item the stream record inserted. The details of the Pipe that puts
 * several detail-types carry theirs (DETAIL_TYPE_PATH in stream-publications.ts).
 */
export type PublishedDetail =
  | LeadStageChangedDetail
  | (LeadSlaBreachedDetail & { detailType: typeof LEAD_SLA_BREACHED.detailType })
  | (LeadSqlReadyDetail & { detailType: typeof LEAD_SQL_READY.detailType });

// The model's notification rules decide where each change of stage goes: stamped here, once.
const engine = loadCompiledEngine();

/**
 * The detail one stream record publishes: a transition's, with the channels `channelsFor` (the model's
 * notification rules) sends it to (none for a quiet one: a rescore's move, published but alerting no
 * one), an SLA breach's, or a wait for review's (sqlReadyChannels); undefined for anything else.
 */
export function detailOfRecord(
  record: StreamRecord,
  channelsFor: ScoringEngine["channelsFor"],
): PublishedDetail | undefined {
  const transition = transitionFromRecord(record);
  if (transition) return stageChangedDetail(transition, transition.quiet ? [] : channelsFor(transition));
  const request = sqlReadyFromRecord(record);
  if (request) {
    return {
      detailType: LEAD_SQL_READY.detailType,
      ...sqlReadyDetail(request, sqlReadyChannels(request, channelsFor)),
    };
  }
  const breach = slaBreachFromRecord(record);
  return breach && { detailType: LEAD_SLA_BREACHED.detailType, ...breach };
}

/**
 * The enrichment of every stream Pipe (STREAM_PUBLICATIONS): the filtered stream records in, one detail
 * per record out, which the Pipe puts on the bus with its publication's detail-type (transitions →
 * `Lead Stage Changed`; SLA breaches and waits for review, which share a Pipe → the detail-type each
 * detail carries). Records of no known kind are dropped, and counted.
 */
export const handler = middy<StreamRecord[], PublishedDetail[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(tracing())
  .handler(async (records) => {
    const details: PublishedDetail[] = [];
    const published = { transitions: 0, slaBreaches: 0, sqlReady: 0 };
    for (const record of records) {
      const detail = detailOfRecord(record, engine.channelsFor);
      if (!detail) continue;
      if (!("detailType" in detail)) {
        published.transitions++;
        countMetric("Transitions", { stage: detail.data.to });
      } else if (detail.detailType === LEAD_SQL_READY.detailType) {
        published.sqlReady++;
        countMetric("SqlReady");
      } else {
        published.slaBreaches++;
        countMetric("SlaBreaches");
      }
      details.push(detail);
    }
    const dropped = records.length - details.length;
    if (dropped > 0) logger.warn("stream records not published", { dropped });
    logger.info("stream records published", { received: records.length, ...published });
    return details;
  });
