import type {
  LeadSort,
  SortOrder,
  StageIndex,
  StageIndexEntry,
  StagePartition,
} from "#shared/application/ports/lead-reads";
import { DONE, type ListPosition, partitionId } from "./lead-cursor";

interface PartitionState {
  id: string;
  partition: StagePartition;
  /** The last entry consumed (or the cursor's position); reads continue after it. */
  position: string | undefined;
  /** Where the next read of the index starts: after the last entry fetched. */
  fetchedUpTo: string | undefined;
  buffer: StageIndexEntry[];
  /** Entries handed out and not yet consumed. */
  outstanding: number;
  more: boolean;
}

export interface MergedEntry extends StageIndexEntry {
  partitionId: string;
}

/**
 * Reads several stage partitions as one list in index order (a k-way merge on the sort keys, which
 * embed the lead id, so the order is total and stable). The caller consumes the entries it has dealt
 * with; the position it gets back stops after the last consumed entry of each partition, so entries
 * that were read but not consumed are read again by the next page: no gaps, no duplicates.
 */
export function mergedStageReader(options: {
  index: StageIndex;
  partitions: readonly StagePartition[];
  position: ListPosition;
  sort: LeadSort;
  order: SortOrder;
  /** Entries fetched per partition read. */
  readSize: number;
}) {
  const { index, sort, order, readSize } = options;
  const states: PartitionState[] = options.partitions.map((partition) => {
    const id = partitionId(partition);
    const at = options.position[id];
    const after = typeof at === "string" ? at : undefined;
    return { id, partition, position: after, fetchedUpTo: after, buffer: [], outstanding: 0, more: at !== DONE };
  });
  const byId = new Map(states.map((state) => [state.id, state]));
  const before = (a: string, b: string) => (order === "asc" ? a < b : a > b);

  async function refill(state: PartitionState) {
    const { entries, more } = await index.read({
      partition: state.partition,
      sort,
      order,
      after: state.fetchedUpTo,
      limit: readSize,
    });
    state.buffer.push(...entries);
    state.more = more && entries.length > 0;
    state.fetchedUpTo = entries.at(-1)?.sortKey ?? state.fetchedUpTo;
  }

  return {
    /** The next `count` entries in merged order (fewer at the end of every partition). */
    async take(count: number): Promise<MergedEntry[]> {
      const taken: MergedEntry[] = [];
      while (taken.length < count) {
        // A partition with an empty buffer may still hold the smallest next entry: read it first.
        await Promise.all(states.filter((state) => state.buffer.length === 0 && state.more).map(refill));
        let best: PartitionState | undefined;
        for (const state of states) {
          const head = state.buffer[0];
          if (head && (!best || before(head.sortKey, (best.buffer[0] as StageIndexEntry).sortKey))) best = state;
        }
        if (!best) break;
        const entry = best.buffer.shift() as StageIndexEntry;
        best.outstanding++;
        taken.push({ ...entry, partitionId: best.id });
      }
      return taken;
    },

    /** Marks an entry dealt with, in the order taken: the next page starts after it. */
    consume(entry: MergedEntry) {
      const state = byId.get(entry.partitionId);
      if (!state) return;
      state.position = entry.sortKey;
      state.outstanding--;
    },

    /** The position after the consumed entries, or undefined when every partition is read to its end. */
    position(): ListPosition | undefined {
      const position: ListPosition = {};
      let finished = true;
      for (const state of states) {
        const exhausted = !state.more && state.buffer.length === 0 && state.outstanding === 0;
        if (exhausted) position[state.id] = DONE;
        else {
          finished = false;
          if (state.position !== undefined) position[state.id] = state.position;
        }
      }
      return finished ? undefined : position;
    },
  };
}
