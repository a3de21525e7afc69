import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { DeadLetterQueue, DeadMessage } from "#shared/application/recovery/ports";

/** The queue's name: the last part of its URL. */
const nameOf = (queueUrl: string) => queueUrl.split("/").pop() ?? queueUrl;

/**
 * A dead-letter queue on SQS. `receive` hides what it hands out for five minutes (enough to put the events
 * back and delete them; a run that dies leaves them to reappear), `peek` hides nothing.
 */
export function sqsDeadLetterQueue(options: { client: SQSClient; queueUrl: string }): DeadLetterQueue {
  const { client, queueUrl } = options;
  const read = async (visibilitySeconds: number): Promise<DeadMessage[]> => {
    const result = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: 1,
      }),
    );
    return (result.Messages ?? []).map((message) => ({
      id: message.ReceiptHandle ?? "",
      body: parsed(message.Body ?? ""),
    }));
  };
  return {
    name: nameOf(queueUrl),
    async count() {
      const result = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
      );
      return Number(result.Attributes?.ApproximateNumberOfMessages ?? 0);
    },
    peek: () => read(0),
    receive: () => read(300),
    async remove(messages) {
      if (messages.length === 0) return;
      const result = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.id })),
        }),
      );
      if ((result.Failed ?? []).length > 0) throw new Error(`${result.Failed?.length} message(s) could not be deleted`);
    },
  };
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
