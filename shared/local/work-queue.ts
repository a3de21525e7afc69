import type { WorkItem, WorkQueue } from "#shared/application/ports/runs";

export interface LocalWorkQueueOptions {
  /** How long a delivery that failed stays invisible before it is delivered again (SQS's visibility timeout). */
  visibilityMs?: number;
  /** Deliveries of one item before it is set aside as a dead letter (the queue's maxReceiveCount). */
  maxReceives?: number;
}

export interface LocalDrain {
  /** Items delivered `maxReceives` times without success: what AWS would hold in the dead-letter queue. */
  deadLetters: { item: WorkItem; error: string }[];
  deliveries: number;
}

/**
 * The work queue on one machine, with what SQS and Lambda's event source do in AWS: each item is
 * delivered to one of `workers` at a time; a delivery that throws comes back after the visibility
 * timeout, up to `maxReceives` deliveries, then it is set aside. Items sent while draining (a hand-over)
 * are delivered too. In memory: a process that stops loses its queue, and a run resumed by a later
 * process sends its unfinished parts again (startRun with "unfinished").
 */
export function localWorkQueue(options: LocalWorkQueueOptions = {}) {
  const visibilityMs = options.visibilityMs ?? 1_000;
  const maxReceives = options.maxReceives ?? 5;
  const ready: { item: WorkItem; receives: number }[] = [];
  let waiting = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  const queue: WorkQueue & {
    /** Delivers items until none is left, nor in flight, nor waiting to come back. */
    drain(
      work: (item: WorkItem, worker: number) => Promise<unknown>,
      drainOptions: { workers: number },
    ): Promise<LocalDrain>;
  } = {
    async send(items) {
      for (const item of items) ready.push({ item: { ...item }, receives: 0 });
      notify();
    },

    async drain(work, { workers }) {
      const result: LocalDrain = { deadLetters: [], deliveries: 0 };
      let inFlight = 0;
      const worker = async (slot: number) => {
        for (;;) {
          const next = ready.shift();
          if (!next) {
            if (inFlight === 0 && waiting === 0) {
              notify();
              return;
            }
            await new Promise<void>((resolve) => {
              const previous = wake;
              wake = () => {
                previous?.();
                resolve();
              };
            });
            continue;
          }
          inFlight++;
          next.receives++;
          result.deliveries++;
          try {
            await work(next.item, slot);
          } catch (error) {
            if (next.receives >= maxReceives) {
              result.deadLetters.push({
                item: next.item,
                error: error instanceof Error ? error.message : String(error),
              });
            } else {
              waiting++;
              setTimeout(() => {
                waiting--;
                ready.push(next);
                notify();
              }, visibilityMs);
            }
          } finally {
            inFlight--;
            notify();
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, (_, slot) => worker(slot)));
      return result;
    },
  };
  return queue;
}
