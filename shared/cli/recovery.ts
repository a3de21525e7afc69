import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { dynamoTransitionRange } from "#shared/adapters/dynamodb/transition-range";
import { eventBridgeArchive, eventBridgePublisher } from "#shared/adapters/eventbridge/event-bus";
import { sqsDeadLetterQueue } from "#shared/adapters/sqs/dead-letter-queue";
import type { QueueRedrive } from "#shared/application/recovery/redrive";
import type { PipeRepublish } from "#shared/application/recovery/republish";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { compileModelFile } from "#shared/runtime/scoring-model";

/** Where `npx cdk deploy --all --outputs-file cdk-outputs.json` writes the stacks' outputs. */
export const OUTPUTS_FILE = "cdk-outputs.json";

/** The outputs the recovery commands read, whichever stage's stacks they come from. */
export interface RecoveryOutputs {
  tableName: string;
  busArn: string;
  archiveArn: string;
  busDeadLetterQueues: string[];
  pipeDeadLetterQueues: string[];
}

/**
 * The outputs of Ripen's two stacks in a `cdk deploy --outputs-file` file: `RipenStateful[-<stage>]` and
 * `RipenStateless[-<stage>]`, the stage given by `--stage` (ripen:stage).
 */
export function recoveryOutputs(file: Record<string, Record<string, string>>, stage?: string): RecoveryOutputs {
  const suffix = stage ? `-${stage}` : "";
  const stateful = file[`RipenStateful${suffix}`];
  const stateless = file[`RipenStateless${suffix}`];
  if (!stateful || !stateless) {
    throw new Error(
      `no RipenStateful${suffix} and RipenStateless${suffix} outputs: deploy with --outputs-file ${OUTPUTS_FILE}${stage ? "" : " (or give --stage)"}`,
    );
  }
  const need = (outputs: Record<string, string>, name: string) => {
    const value = outputs[name];
    if (!value) throw new Error(`the stack outputs have no ${name}: deploy this release first`);
    return value;
  };
  const list = (value: string) => value.split(",").filter((url) => url !== "");
  return {
    tableName: need(stateful, "TableName"),
    busArn: need(stateful, "EventBusArn"),
    archiveArn: need(stateful, "ArchiveArn"),
    busDeadLetterQueues: list(need(stateless, "BusDeadLetterQueues")),
    pipeDeadLetterQueues: list(need(stateless, "PipeDeadLetterQueues")),
  };
}

/** The flags every recovery command takes, and the AWS side they act on. */
export async function recoveryContext(args: string[], extra: Record<string, { type: "string" }> = {}) {
  const { values } = parseArgs({
    args,
    options: {
      "dry-run": { type: "boolean", default: false },
      outputs: { type: "string", default: OUTPUTS_FILE },
      stage: { type: "string" },
      ...extra,
    },
    strict: true,
  });
  const path = values.outputs as string;
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    throw new Error(
      `no ${path}: deploy with npx cdk deploy --all --outputs-file ${OUTPUTS_FILE}, or give --outputs <file>`,
    );
  });
  const file = JSON.parse(text) as Record<string, Record<string, string>>;
  const outputs = recoveryOutputs(file, values.stage as string | undefined);
  const eventBridge = new EventBridgeClient({});
  const sqs = new SQSClient({});
  return {
    values,
    dryRun: values["dry-run"] === true,
    outputs,
    bus: eventBridgePublisher({ client: eventBridge, busArn: outputs.busArn }),
    archive: eventBridgeArchive({ client: eventBridge, archiveArn: outputs.archiveArn, busArn: outputs.busArn }),
    queues: (urls: string[]) => urls.map((queueUrl) => sqsDeadLetterQueue({ client: sqs, queueUrl })),
    recorded: () => dynamoTransitionRange({ client: new DynamoDBClient({}), tableName: outputs.tableName }),
    /** The model the deployed functions were built from: the local model file (deploy from the same tree). */
    channelsFor: () => loadCompiledEngine(compileModelFile().compiled).channelsFor,
  };
}

/** One line per queue: what went (or would go) back on the bus, and what was left and why. */
export function redriveReport(results: readonly QueueRedrive[], dryRun: boolean): string[] {
  return results.map((result) => {
    const left = result.left.map((entry) => `${entry.count} left (${entry.why})`).join(", ");
    return `${result.queue}: ${result.events} event(s) ${dryRun ? "would go" : "put"} back on the bus${left ? `; ${left}` : ""}`;
  });
}

/** One line per failed batch: its range and the transitions and waits republished from it. */
export function republishReport(results: readonly PipeRepublish[], dryRun: boolean): string[] {
  return results.flatMap((result) => [
    ...result.batches.map(
      (batch) =>
        `${result.queue}: ${batch.from} … ${batch.to}: ${batch.transitions} transition(s) and ${batch.waits} wait(s) for review ${dryRun ? "would be republished" : "republished"}`,
    ),
    ...(result.left > 0 ? [`${result.queue}: ${result.left} message(s) left (not a stream batch)`] : []),
    ...(result.batches.length === 0 && result.left === 0 ? [`${result.queue}: empty`] : []),
  ]);
}
