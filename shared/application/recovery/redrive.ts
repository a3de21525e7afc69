import { type DeadLetterContent, readDeadLetter } from "./dead-letter-content";
import type { BusEntry, DeadLetterQueue, DeadMessage, EventPublisher } from "./ports";

export interface RedriveDeps {
  queues: readonly DeadLetterQueue[];
  bus: EventPublisher;
}

export interface QueueRedrive {
  queue: string;
  /** Events put back on the bus (dry run: that would be). */
  events: number;
  /** Messages left where they are, with why: a Pipe's batch (npm run republish), another kind of message. */
  left: { count: number; why: string }[];
}

/**
 * Puts the events of the rule and notifier dead-letter queues back on the bus, then removes them.
 * Input: the queues; `dryRun` only reads (nothing is put or removed).
 * Output: per queue, how many events went back and what was left, and why.
 * Safe to repeat: a message is removed only after its event is accepted by the bus, so a failure leaves it
 * to the next run; an event put twice alerts once (the notifiers' alert ledger), and never about a person
 * erased since (they look up the tombstone first).
 */
export const redriveDeadLetters =
  (deps: RedriveDeps) =>
  async (options: { dryRun: boolean }): Promise<QueueRedrive[]> => {
    const results: QueueRedrive[] = [];
    for (const queue of deps.queues) {
      const result: QueueRedrive = { queue: queue.name, events: 0, left: [] };
      const leave = (why: string) => {
        const known = result.left.find((entry) => entry.why === why);
        if (known) known.count++;
        else result.left.push({ count: 1, why });
      };
      for (let batch = await take(queue, options.dryRun); batch.length > 0; batch = await take(queue, options.dryRun)) {
        const events: { message: DeadMessage; entry: BusEntry }[] = [];
        for (const message of batch) {
          const content: DeadLetterContent = readDeadLetter(message.body);
          if (content.kind === "event") events.push({ message, entry: content.entry });
          else leave(content.kind === "stream-batch" ? "a Pipe's failed batch: npm run republish" : content.why);
        }
        result.events += events.length;
        if (options.dryRun) break;
        if (events.length === 0) continue;
        await deps.bus.put(events.map((event) => event.entry));
        await queue.remove(events.map((event) => event.message));
      }
      results.push(result);
    }
    return results;
  };

const take = (queue: DeadLetterQueue, dryRun: boolean) => (dryRun ? queue.peek() : queue.receive());
