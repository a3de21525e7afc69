import { CfnOutput, Duration, Fn, Stack, type StackProps } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { streamPublications } from "#shared/adapters/dynamodb/stream-publications";
import { NOTIFIERS } from "#shared/bus/notifiers";
import type { NotificationRule } from "#shared/domain/model/notifications";
import { FUNCTIONS } from "#shared/runtime/routes";
import { WORK_QUEUE } from "#shared/runtime/work-queue";
import { RipenAlarms } from "./alarms";
import { RipenApi } from "./api";
import type { RipenConfig } from "./config";
import { RipenDashboard } from "./dashboard";
import { permissionsOf } from "./function-permissions";
import { addMaintenanceSchedule } from "./maintenance-schedule";
import type { Signals } from "./metrics";
import { pipeConstructId, StreamPipe } from "./pipe";
import { type FunctionDefinition, RipenFunction } from "./ripen-function";
import { NotificationRules } from "./rules";
import { addWorkQueue } from "./work-queue";

/** How long a function may run. API functions stay well under the HTTP API's 30-second limit. */
export const DEFAULT_TIMEOUT = Duration.seconds(15);
export const FUNCTION_TIMEOUTS: Record<string, Duration> = {
  // Slack and SES calls are retried inside the invocation before the bus retries it.
  "notify-slack": Duration.seconds(30),
  "notify-email": Duration.seconds(30),
  // The sweep only starts its run: the workers do the sweeping.
  maintenance: Duration.minutes(1),
  // A worker hands its part over WORK_QUEUE.reserveMs before this, so no page is cut short.
  worker: Duration.seconds(WORK_QUEUE.workerTimeoutSeconds),
};

/** The function every Pipe calls to turn stream records into bus events (it maps each kind). */
export const PIPE_ENRICHMENT_FUNCTION = "publish";

export interface StatelessStackProps extends StackProps {
  table: ITable;
  bus: IEventBus;
  secret: ISecret;
  /** The lead id key (HMAC), for the functions that hash emails and event ids. */
  idKey: ISecret;
  /** The key of signed links to lead and funnel pages. */
  linkKey: ISecret;
  config: RipenConfig;
  /** The model's notification rules: creations are published when they alert on new leads. */
  notifications: readonly NotificationRule[];
  /** The compiled model every function ships beside its handler (compileModel). */
  compiledModel: string;
  /** The functions to build; FUNCTIONS unless a test needs another set. */
  functions?: Readonly<Record<string, FunctionDefinition>>;
}

/**
 * Everything that can be torn down and redeployed without losing data: the API, the functions, the
 * Pipe, the rules, the schedule, alarms and dashboard.
 */
export class StatelessStack extends Stack {
  readonly api: RipenApi;
  readonly functions = new Map<string, RipenFunction>();
  /** One Pipe per stream publication, by publication name. */
  readonly pipes = new Map<string, StreamPipe>();
  readonly rules: NotificationRules;
  readonly alarms: RipenAlarms;
  /** The work queue of batch runs, when a worker function exists. */
  readonly workQueue: Queue | undefined;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.api = new RipenApi(this, "Api", {
      logRetention: config.logRetentionDays,
      senderThrottles: config.webhookThrottles,
    });
    const notifiers = new Set<string>(Object.values(NOTIFIERS).map((notifier) => notifier.function));

    const handlers = new Map<string, IFunction>();
    for (const [name, definition] of Object.entries(props.functions ?? FUNCTIONS)) {
      const ripenFunction = new RipenFunction(this, name, {
        definition,
        permissions: permissionsOf(name),
        table: props.table,
        secret: props.secret,
        idKey: props.idKey,
        linkKey: props.linkKey,
        publicUrl: config.publicUrl ?? this.api.url,
        ...(config.email && { email: config.email }),
        environment: config.functionEnvironment,
        timeout: FUNCTION_TIMEOUTS[name] ?? DEFAULT_TIMEOUT,
        logRetention: config.logRetentionDays,
        tracing: config.tracing,
        compiledModel: props.compiledModel,
        ...(notifiers.has(name) &&
          config.notifierReservedConcurrency !== undefined && {
            reservedConcurrency: config.notifierReservedConcurrency,
          }),
      });
      this.functions.set(name, ripenFunction);
      handlers.set(name, ripenFunction.handler);
    }

    this.api.addRoutes(handlers);
    this.workQueue = addWorkQueue(this, this.functions);

    const publish = handlers.get(PIPE_ENRICHMENT_FUNCTION);
    if (!publish) throw new Error(`FUNCTIONS has no "${PIPE_ENRICHMENT_FUNCTION}" function for the Pipe's enrichment`);
    const publications = streamPublications({
      publishNewLeads: config.publishNewLeads,
      notifications: props.notifications,
    });
    for (const publication of publications) {
      const pipe = new StreamPipe(this, pipeConstructId(publication), {
        table: props.table,
        bus: props.bus,
        publication,
        publish,
        logRetention: config.logRetentionDays,
      });
      this.pipes.set(publication.name, pipe);
    }

    this.rules = new NotificationRules(this, "Rules", { bus: props.bus, handlers });
    addMaintenanceSchedule(this, handlers);

    const signals: Signals = {
      api: this.api.httpApi,
      handlers,
      pipes: new Map([...this.pipes].map(([name, pipe]) => [name, pipe.pipeName])),
      bus: props.bus,
      rules: this.rules.rules,
      table: props.table,
    };
    this.alarms = new RipenAlarms(this, "Alarms", {
      ...signals,
      ...(config.alarmEmail && { alarmEmail: config.alarmEmail }),
      thresholds: config.alarmThresholds,
      sendsEmail: config.email !== undefined,
    });
    new RipenDashboard(this, "Operations", {
      ...signals,
      deadLetterQueues: this.alarms.deadLetterQueues,
      alarms: this.alarms.alarms,
    });

    new CfnOutput(this, "ApiUrl", { value: this.api.url, description: "Base URL: webhooks at /webhooks/{source}" });
    new CfnOutput(this, "AlarmTopicArn", { value: this.alarms.topic.topicArn });
    // The queues npm run redrive and republish read: events to put back on the bus, and the Pipes' failed batches.
    new CfnOutput(this, "BusDeadLetterQueues", {
      value: Fn.join(
        ",",
        this.rules.deadLetters.map((queue) => queue.queueUrl),
      ),
      description: "Rule and notifier dead-letter queues (comma-separated): npm run redrive",
    });
    new CfnOutput(this, "PipeDeadLetterQueues", {
      value: Fn.join(
        ",",
        [...this.pipes.values()].map((pipe) => pipe.deadLetters.queueUrl),
      ),
      description: "The Pipes' dead-letter queues (comma-separated): npm run republish",
    });
    if (this.workQueue) {
      new CfnOutput(this, "WorkQueueUrl", {
        value: this.workQueue.queueUrl,
        description: `${WORK_QUEUE.urlVariable} for npm run model -- rescore|preview --aws`,
      });
    }
  }
}
