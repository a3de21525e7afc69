import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import * as z from "zod";
import type { BusEvent } from "./local-bus";

/** One event accepted for one rule's target, neither delivered nor dead-lettered yet. */
export interface JournaledDelivery {
  /** The event's id and the rule's name: one delivery per event and rule. */
  id: string;
  rule: string;
  target: string;
  /** The event as the target is given it (its detail carries the lead's name and email). */
  event: BusEvent;
}

/**
 * The local bus's deliveries in flight, in a JSON-lines file: a line `{"accepted":…}` per delivery,
 * synced to disk before the bus says it has the event, and `{"finished":id}` once it is delivered or
 * dead-lettered. A delivery accepted and not finished when the process died is resumed at the next start.
 */
export interface BusJournal extends Readonly<JournalContents> {
  readonly path: string;
  /** Appends the deliveries and syncs the file: once it resolves, they survive a crash. */
  accept(deliveries: readonly JournaledDelivery[]): Promise<void>;
  /** Marks a delivery finished; its event leaves the file at the next compaction, or with the file. */
  finish(id: string): Promise<void>;
}

/**
 * How many finished deliveries the file may still hold. The journal keeps personal data only while it
 * must: the file is deleted whenever nothing is in flight, and otherwise rewritten without the finished
 * deliveries once there are this many.
 */
export const COMPACT_AFTER_FINISHED = 64;

const Line = z.union([
  z.object({
    accepted: z.object({
      id: z.string().min(1),
      rule: z.string().min(1),
      target: z.string().min(1),
      event: z.object({
        version: z.string(),
        id: z.string().min(1),
        "detail-type": z.string(),
        source: z.string(),
        account: z.string(),
        time: z.string(),
        region: z.string(),
        resources: z.array(z.string()),
        detail: z.unknown(),
      }),
    }),
  }),
  z.object({ finished: z.string().min(1) }),
]);

/** What a journal file holds; when the bus opens it, what the bus resumes. */
export interface JournalContents {
  /** The deliveries accepted and never finished, in the order they were accepted. */
  unfinished: JournaledDelivery[];
  /** Lines that could not be read (a line cut short by a crash mid-append). */
  unreadableLines: number;
}

/** Reads a journal file without changing it (what `openBusJournal` starts from). */
export async function readBusJournal(path: string): Promise<JournalContents> {
  const pending = new Map<string, JournaledDelivery>();
  let unreadableLines = 0;
  for (const text of (await readLines(path)).filter((line) => line.trim())) {
    const line = parseLine(text);
    if (!line) unreadableLines++;
    else if ("accepted" in line)
      pending.set(line.accepted.id, { ...line.accepted, event: line.accepted.event as BusEvent });
    else pending.delete(line.finished);
  }
  return { unfinished: [...pending.values()], unreadableLines };
}

/**
 * Opens the journal at `path` (created on the first accepted delivery, owner-only): reads what the last
 * run left unfinished, skipping unreadable lines, and rewrites the file with only that, so a torn last
 * line never glues itself to the next append.
 */
export async function openBusJournal(path: string): Promise<BusJournal> {
  const partial = `${path}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  // A compaction cut short leaves its copy behind; the journal itself is still whole.
  await rm(partial, { force: true });
  const { unfinished, unreadableLines } = await readBusJournal(path);
  const pending = new Map(unfinished.map((delivery) => [delivery.id, delivery]));

  let finishedInFile = 0;
  let queue: Promise<void> = Promise.resolve();
  /** One file operation at a time, in call order. */
  const serially = (operation: () => Promise<void>): Promise<void> => {
    const run = queue.then(operation);
    queue = run.catch(() => {});
    return run;
  };
  let created = false;
  const append = async (lines: readonly unknown[], sync: boolean) => {
    try {
      await appendLines(path, lines, sync, !created);
      created = true;
    } catch (error) {
      // A write that failed midway may have left half a line: rewrite the file before the next append.
      await compact().catch(() => {});
      throw error;
    }
  };
  /** Rewrites the file with what is in flight, or deletes it when nothing is. */
  const compact = async () => {
    finishedInFile = 0;
    created = pending.size > 0;
    if (pending.size === 0) return rm(path, { force: true });
    await writeLines(partial, [...pending.values()].map(acceptedLine));
    await rename(partial, path);
    await syncDirectory(dirname(path));
  };
  await compact();

  return {
    path,
    unfinished,
    unreadableLines,
    accept: (deliveries) =>
      serially(async () => {
        if (deliveries.length === 0) return;
        await append(deliveries.map(acceptedLine), true);
        for (const delivery of deliveries) pending.set(delivery.id, delivery);
      }),
    finish: (id) =>
      serially(async () => {
        if (!pending.delete(id)) return;
        if (pending.size === 0 || finishedInFile + 1 >= COMPACT_AFTER_FINISHED) return compact();
        // Not synced: a finish lost to a crash only makes the next start deliver it again.
        await append([{ finished: id }], false);
        finishedInFile++;
      }),
  };
}

function acceptedLine(delivery: JournaledDelivery) {
  return { accepted: delivery };
}

function parseLine(text: string): z.infer<typeof Line> | undefined {
  try {
    const parsed = Line.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function readLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, "utf8")).split("\n");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

const serialize = (lines: readonly unknown[]) => lines.map((line) => `${JSON.stringify(line)}\n`).join("");

async function appendLines(path: string, lines: readonly unknown[], sync: boolean, mayCreate: boolean) {
  const file = await open(path, "a", 0o600);
  try {
    await file.appendFile(serialize(lines), "utf8");
    if (sync) await file.datasync();
  } finally {
    await file.close();
  }
  // A file just created exists after a power cut only once its directory entry is synced too.
  if (sync && mayCreate) await syncDirectory(dirname(path));
}

async function writeLines(path: string, lines: readonly unknown[]) {
  const file = await open(path, "w", 0o600);
  try {
    await file.writeFile(serialize(lines), "utf8");
    await file.datasync();
  } finally {
    await file.close();
  }
}

async function syncDirectory(path: string) {
  try {
    const directory = await open(path, "r");
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch {
    // Some systems (Windows) cannot open a directory; the synced file still survives a crashed process.
  }
}
