import { LEAD_STAGE_CHANGED, stageChangedDetail } from "#shared/bus/lead-stage-changed";
import type { Transition } from "#shared/domain/lead";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { readDeadLetter } from "./dead-letter-content";
import type { DeadLetterQueue, EventPublisher } from "./ports";

/** The transitions of a time range, from the transitions-by-day index (live transitions, not erased stubs). */
export interface TransitionRange {
  between(from: string, to: string): Promise<Transition[]>;
}

export interface RepublishDeps {
  transitions: TransitionRange;
  channelsFor: ScoringEngine["channelsFor"];
  bus: EventPublisher;
}

/** PutEvents takes at most 10 entries a call. */
const PUT_BATCH = 10;

/**
 * Republishes the `Lead Stage Changed` events of every transition in [from, to], as the Pipe and the
 * publish function would have: the detail built from the stored transition, with the channels the
 * current model's rules give it (none for a quiet one, as publish does).
 * Output: how many transitions were found and, unless `dryRun`, put on the bus.
 * Safe to repeat and to overlap what was delivered: notifiers alert once per transition and never about
 * a person erased since. SLA breaches leave no item to republish from; the next sweep finds them again.
 * Waits for review (Lead SQL Ready) are not rebuilt: the rep queue lists them, and an SLA rule on the
 * review reminds the owner.
 */
export const republishTransitions =
  (deps: RepublishDeps) =>
  async (range: { from: string; to: string; dryRun: boolean }): Promise<{ transitions: number }> => {
    const transitions = await deps.transitions.between(range.from, range.to);
    if (!range.dryRun) {
      for (let start = 0; start < transitions.length; start += PUT_BATCH) {
        await deps.bus.put(
          transitions.slice(start, start + PUT_BATCH).map((transition) => ({
            source: LEAD_STAGE_CHANGED.source,
            detailType: LEAD_STAGE_CHANGED.detailType,
            detail: stageChangedDetail(transition, transition.quiet ? [] : deps.channelsFor(transition)),
          })),
        );
      }
    }
    return { transitions: transitions.length };
  };

export interface PipeRepublish {
  queue: string;
  /** The time range of each failed batch read, and how many transitions it republished. */
  batches: { from: string; to: string; transitions: number }[];
  /** Messages that are no batch description: left in the queue. */
  left: number;
}

/**
 * Republishes what each message of the Pipes' dead-letter queues points to (a batch of stream records,
 * unreadable after 24 hours) from the transitions-by-day index over the batch's time range, then removes
 * the message. `dryRun` only reads.
 */
export const republishPipeDeadLetters =
  (deps: RepublishDeps & { queues: readonly DeadLetterQueue[] }) =>
  async (options: { dryRun: boolean }): Promise<PipeRepublish[]> => {
    const republish = republishTransitions(deps);
    const results: PipeRepublish[] = [];
    for (const queue of deps.queues) {
      const result: PipeRepublish = { queue: queue.name, batches: [], left: 0 };
      const next = () => (options.dryRun ? queue.peek() : queue.receive());
      for (let batch = await next(); batch.length > 0; batch = await next()) {
        for (const message of batch) {
          const content = readDeadLetter(message.body);
          if (content.kind !== "stream-batch") {
            result.left++;
            continue;
          }
          const { transitions } = await republish({ from: content.from, to: content.to, dryRun: options.dryRun });
          result.batches.push({ from: content.from, to: content.to, transitions });
          if (!options.dryRun) await queue.remove([message]);
        }
        if (options.dryRun) break;
      }
      results.push(result);
    }
    return results;
  };
