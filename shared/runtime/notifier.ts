import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import middy from "@middy/core";
import type { Context, EventBridgeEvent } from "aws-lambda";
import type * as z from "zod/mini";
import { dynamoAlertLedger } from "#shared/adapters/dynamodb/alert-ledger";
import { dynamoTombstones } from "#shared/adapters/dynamodb/erasure-store";
import { type AudienceOutcome, notifyAlert } from "#shared/application/notify-alert";
import type { AlertSender } from "#shared/application/ports/alert-sender";
import type { NotifierRoute } from "#shared/bus/notifiers";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { alertFromBusEvent } from "#shared/edge/bus-alerts";
import { dynamodbClient } from "./aws-clients";
import { loadCompiledChannels } from "./compiled-engine";
import { notifierEnvShape, readEnv } from "./env";
import { countAlertFailure, logger } from "./powertools";
import { tracing } from "./tracing";

/** The environment a notifier's function declares: what every notifier reads, and its channel's own. */
type NotifierShape = typeof notifierEnvShape & z.core.$ZodShape;

/** What one invocation knows that a sender may need. */
export interface Invocation {
  /** Milliseconds left before the function times out, when the runtime says. */
  remainingMs?: number;
}

/**
 * An alert channel as a notifier function runs it: the bus side (its name and the channels it delivers),
 * its environment (FUNCTION_ENV), and the adapter that sends, made for each invocation (a secret read
 * through a cache, the time left for retries).
 */
export interface NotifierChannel<Shape extends NotifierShape> {
  route: NotifierRoute;
  env: Shape;
  sender(env: z.output<z.ZodMiniObject<Shape>>, invocation: Invocation): AlertSender | Promise<AlertSender>;
}

/** What the factory would otherwise take from the process: for tests and the local runtime. */
export interface NotifierDeps {
  source?: NodeJS.ProcessEnv;
  dynamodb?: DynamoDBClient;
  modelChannels?: ScoringEngine["channelsFor"];
}

/**
 * A notifier function's handler: the target of its channel's bus rules (rules.ts). Parses the event into
 * an alert at the edge, then sends it once per audience through the ledger (notifyAlert). Throws when the
 * channel refuses or stays unavailable, so the bus retries and then dead-letters the event.
 * Reads its environment and the compiled model at load, so a misconfigured function fails its init.
 */
export function notifierHandler<Shape extends NotifierShape>(channel: NotifierChannel<Shape>, deps: NotifierDeps = {}) {
  const env = readEnv(channel.env, deps.source);
  // The part every notifier reads, typed as such (the channel's shape includes it).
  const common = readEnv(notifierEnvShape, deps.source);
  // Events carry their channels; a version 1 event replayed from the archive asks the model, as it did then.
  const modelChannels = deps.modelChannels ?? loadCompiledChannels();
  const table = { client: deps.dynamodb ?? dynamodbClient(), tableName: common.TABLE_NAME };
  const ledger = dynamoAlertLedger({ ...table, leaseSeconds: common.RIPEN_ALERT_LEASE_SECONDS });
  const tombstones = dynamoTombstones(table);

  return middy<EventBridgeEvent<string, unknown>, AudienceOutcome[]>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(tracing())
    .handler(async (event, context: Context) => {
      const alert = alertFromBusEvent(event, modelChannels);
      logger.appendKeys({ alertId: alert.alertId, leadId: alert.leadId });
      const remainingMs =
        typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : undefined;
      const sender = await channel.sender(env, remainingMs === undefined ? {} : { remainingMs });
      return notifyAlert({
        sender,
        notifier: channel.route,
        ledger,
        tombstones,
        log: logger,
        countFailure: countAlertFailure,
      })(alert);
    });
}
