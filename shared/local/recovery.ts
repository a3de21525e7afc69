import type { DeadLetterQueue, EventPublisher } from "#shared/application/recovery/ports";
import type { EventArchive } from "#shared/application/recovery/replay";
import type { DeadLetter, DeadLetterFile } from "./dead-letters";
import type { LocalBus } from "./local-bus";

/** The local bus as the recovery commands see it: put resolves once the deliveries are journaled. */
export function localBusPublisher(bus: LocalBus): EventPublisher {
  return {
    async put(entries) {
      await bus.put(entries);
    },
  };
}

/**
 * The dead-letter file as a queue, holding the entries `which` selects (a rule's and a notifier's, or the
 * pipes'): `receive` hands each out once per queue, `remove` rewrites the file without them.
 */
export function localDeadLetterQueue(
  file: DeadLetterFile,
  name: string,
  which: (entry: DeadLetter) => boolean,
): DeadLetterQueue {
  const handedOut = new Set<string>();
  const entries = async () => (await file.list()).filter(which);
  const asMessage = (entry: DeadLetter) => ({ id: JSON.stringify(entry), body: entry.payload });
  return {
    name,
    count: async () => (await entries()).length,
    peek: async () => (await entries()).map(asMessage),
    async receive() {
      const fresh = (await entries()).map(asMessage).filter((message) => !handedOut.has(message.id));
      for (const message of fresh) handedOut.add(message.id);
      return fresh;
    },
    async remove(messages) {
      await file.remove(messages.map((message) => JSON.parse(message.id) as DeadLetter));
    },
  };
}

/** Locally the pipes dead-letter under "<publication> pipe"; every other entry is a rule's delivery. */
export const isPipeDeadLetter = (entry: DeadLetter) => entry.rule.endsWith(" pipe");

/**
 * The local stand-in for the bus's archive: the local bus keeps none, so a replay republishes the range's
 * transitions from the table (what the archive holds: `Lead Stage Changed` events).
 */
export function localArchive(republish: (from: string, to: string) => Promise<number>): EventArchive {
  return {
    async replay(from, to) {
      const count = await republish(from, to);
      return { name: "local", state: `republished ${count} transition(s) from the table` };
    },
    describe: async (from, to) => `would republish the transitions of ${from} … ${to} from the table`,
  };
}
