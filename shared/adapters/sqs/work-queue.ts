import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import * as z from "zod/mini";
import type { WorkItem, WorkQueue } from "#shared/application/ports/runs";

/** SendMessageBatch takes at most this many messages. */
const BATCH = 10;

/** The work queue on SQS: one message per work item, its body the item as JSON. */
export function sqsWorkQueue(options: { client: SQSClient; queueUrl: string }): WorkQueue {
  return {
    async send(items) {
      for (let start = 0; start < items.length; start += BATCH) {
        const batch = items.slice(start, start + BATCH);
        const result = await options.client.send(
          new SendMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: batch.map((item, index) => ({ Id: String(index), MessageBody: JSON.stringify(item) })),
          }),
        );
        const failed = result.Failed ?? [];
        if (failed.length > 0) {
          throw new Error(`the work queue refused ${failed.length} items: ${failed[0]?.Code ?? "unknown"}`);
        }
      }
    },
  };
}

const WorkItemMessage = z.object({
  runId: z.string().check(z.minLength(1), z.maxLength(200)),
  part: z.number().check(z.int(), z.nonnegative()),
  ticket: z.number().check(z.int(), z.nonnegative()),
});

/** A work item from a message body; undefined for a body that is none (dropped: retrying cannot mend it). */
export function workItemOf(body: string): WorkItem | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = WorkItemMessage.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
