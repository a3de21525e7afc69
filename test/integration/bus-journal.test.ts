import { existsSync } from "node:fs";
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPACT_AFTER_FINISHED, type JournaledDelivery, openBusJournal } from "#shared/local/bus-journal";

let dataDir: string;
let fileCount = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ripen-journal-"));
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const journalPath = () => join(dataDir, `bus-journal-${++fileCount}.jsonl`);

function delivery(id: string, rule = "onSql"): JournaledDelivery {
  return {
    id: `${id}/${rule}`,
    rule,
    target: "notify-slack",
    event: {
      version: "0",
      id,
      "detail-type": "Lead Stage Changed",
      source: "ripen",
      account: "000000000000",
      time: "2026-03-01T10:00:00Z",
      region: "eu-west-1",
      resources: [],
      detail: { data: { to: "sql", lead: { email: `${id}@example.com` } } },
    },
  };
}

const acceptedLines = async (path: string) =>
  (await readFile(path, "utf8")).split("\n").filter((line) => line.includes('"accepted"'));

describe("the local bus's journal", () => {
  it("gives back, when reopened, what was accepted and never finished", async () => {
    // Prepare
    const path = journalPath();
    const journal = await openBusJournal(path);

    // Act
    await journal.accept([delivery("e1"), delivery("e2", "onSqlEmail")]);
    await journal.accept([delivery("e3")]);
    await journal.finish("e1/onSql");
    const reopened = await openBusJournal(path);

    // Assess
    expect(journal.unfinished).toEqual([]);
    expect(reopened.unfinished).toEqual([delivery("e2", "onSqlEmail"), delivery("e3")]);
    expect(reopened.unreadableLines).toBe(0);
  });

  it("deletes its file, and the events in it, once nothing is in flight", async () => {
    const path = journalPath();
    const journal = await openBusJournal(path);

    await journal.accept([delivery("e1"), delivery("e2")]);
    const whileInFlight = existsSync(path);
    await journal.finish("e1/onSql");
    await journal.finish("e2/onSql");

    expect(whileInFlight).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect((await openBusJournal(path)).unfinished).toEqual([]);
  });

  it("skips a line torn by a crash mid-append, and what it appends after reopening reads back whole", async () => {
    // Prepare: a journal whose last append was cut short.
    const path = journalPath();
    await (await openBusJournal(path)).accept([delivery("e1")]);
    await appendFile(path, '{"accepted":{"id":"e2/onSql","rule":"onS');

    // Act
    const reopened = await openBusJournal(path);
    await reopened.accept([delivery("e3")]);
    const again = await openBusJournal(path);

    // Assess
    expect(reopened.unreadableLines).toBe(1);
    expect(reopened.unfinished).toEqual([delivery("e1")]);
    expect(again.unreadableLines).toBe(0);
    expect(again.unfinished).toEqual([delivery("e1"), delivery("e3")]);
  });

  it("ignores lines that are JSON but not journal entries", async () => {
    const path = journalPath();
    await writeFile(path, `${JSON.stringify({ accepted: delivery("e1") })}\n{"accepted":{"id":"e2"}}\n[1,2]\n`);

    const journal = await openBusJournal(path);

    expect(journal.unfinished).toEqual([delivery("e1")]);
    expect(journal.unreadableLines).toBe(2);
  });

  it("keeps at most a bounded number of finished deliveries in its file while others are in flight", async () => {
    // Prepare: one delivery stays in flight throughout.
    const path = journalPath();
    const journal = await openBusJournal(path);
    await journal.accept([delivery("stuck")]);

    // Act: many deliveries accepted and finished behind it.
    let finishedHeld = 0;
    for (let index = 0; index < 3 * COMPACT_AFTER_FINISHED; index++) {
      await journal.accept([delivery(`e${index}`)]);
      await journal.finish(`e${index}/onSql`);
      finishedHeld = Math.max(finishedHeld, (await acceptedLines(path)).length - 1);
    }

    // Assess
    expect(finishedHeld).toBe(COMPACT_AFTER_FINISHED - 1);
    expect((await openBusJournal(path)).unfinished).toEqual([delivery("stuck")]);
  });

  it("is readable by its owner only, and removes a compaction's leftover copy when opened", async () => {
    const path = journalPath();
    await writeFile(`${path}.tmp`, `${JSON.stringify({ accepted: delivery("half-written") })}\n`);
    const journal = await openBusJournal(path);

    await journal.accept([delivery("e1")]);

    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });
});
