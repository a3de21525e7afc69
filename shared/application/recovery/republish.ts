import { LEAD_SQL_READY, sqlReadyChannels, sqlReadyDetail } from "#shared/bus/lead-sql-ready";
import { LEAD_STAGE_CHANGED, stageChangedDetail } from "#shared/bus/lead-stage-changed";
import type { SqlReadyRequest, Transition } from "#shared/domain/lead";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { readDeadLetter } from "./dead-letter-content";
import type { DeadLetterQueue, EventPublisher } from "./ports";

/**
 * What the transitions-by-day index holds for a time range, as stored: the transitions (live ones, not
 * erased stubs) and the waits for review that began in it.
 */
export interface RecordedRange {
  between(from: string, to: string): Promise<{ transitions: Transition[]; waits: SqlReadyRequest[] }>;
}

export interface RepublishDeps {
  recorded: RecordedRange;
  channelsFor: ScoringEngine["channelsFor"];
  bus: EventPublisher;
}

/** PutEvents takes at most 10 entries a call. */
const PUT_BATCH = 10;

/**
 * Republishes what the Pipes would have put on the bus for [from, to]: the `Lead Stage Changed` event of
 * every transition and the `Lead SQL Ready` event of every wait for review that began in it, each detail
 * built from the stored item, with the channels the current model's rules give it (none for a quiet one,
 * as publish does).
 * Output: how many transitions and waits were found and, unless `dryRun`, put on the bus.
 * Safe to repeat and to overlap what was delivered: notifiers alert once per transition and per wait, and
 * never about a person erased since. SLA breaches leave no item to republish from; the next sweep finds
 * them again.
 */
export const republishRange =
  (deps: RepublishDeps) =>
  async (range: { from: string; to: string; dryRun: boolean }): Promise<RangeRepublished> => {
    const { transitions, waits } = await deps.recorded.between(range.from, range.to);
    if (!range.dryRun) {
      const entries = [
        ...transitions.map((transition) => ({
          source: LEAD_STAGE_CHANGED.source,
          detailType: LEAD_STAGE_CHANGED.detailType,
          detail: stageChangedDetail(transition, transition.quiet ? [] : deps.channelsFor(transition)),
        })),
        ...waits.map((wait) => ({
          source: LEAD_SQL_READY.source,
          detailType: LEAD_SQL_READY.detailType,
          detail: sqlReadyDetail(wait, sqlReadyChannels(wait, deps.channelsFor)),
        })),
      ];
      for (let start = 0; start < entries.length; start += PUT_BATCH) {
        await deps.bus.put(entries.slice(start, start + PUT_BATCH));
      }
    }
    return { transitions: transitions.length, waits: waits.length };
  };

/** What a republish found in its range (and put on the bus, unless a dry run). */
export interface RangeRepublished {
  transitions: number;
  waits: number;
}

export interface PipeRepublish {
  queue: string;
  /** The time range of each failed batch read, and how many transitions and waits it republished. */
  batches: ({ from: string; to: string } & RangeRepublished)[];
  /** Messages that are no batch description: left in the queue. */
  left: number;
}

/**
 * Republishes what each message of the Pipes' dead-letter queues points to (a batch of stream records,
 * unreadable after 24 hours) from the transitions-by-day index over the batch's time range (see
 * republishRange), then removes the message. `dryRun` only reads.
 */
export const republishPipeDeadLetters =
  (deps: RepublishDeps & { queues: readonly DeadLetterQueue[] }) =>
  async (options: { dryRun: boolean }): Promise<PipeRepublish[]> => {
    const republish = republishRange(deps);
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
          const found = await republish({ from: content.from, to: content.to, dryRun: options.dryRun });
          result.batches.push({ from: content.from, to: content.to, ...found });
          if (!options.dryRun) await queue.remove([message]);
        }
        if (options.dryRun) break;
      }
      results.push(result);
    }
    return results;
  };
