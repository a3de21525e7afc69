import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deadLetterFile } from "#shared/local/dead-letters";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const letter = (reason: string) => ({
  at: "2026-12-05T10:00:00.000Z",
  rule: "notifySlack",
  target: "notify-slack",
  attempts: 10,
  reason,
  payload: { detail: { data: { lead: { email: "ada@example.com" } } } },
});

describe("the local dead-letter file", () => {
  it("is readable by its owner only: its entries carry names and emails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ripen-dead-"));
    dirs.push(dir);
    const file = deadLetterFile(join(dir, "nested", "dead-letters.jsonl"));

    await file.add(letter("Error: slack answered 500"));
    await file.add(letter("Error: slack answered 503"));

    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect((await file.list()).map((entry) => entry.reason)).toEqual([
      "Error: slack answered 500",
      "Error: slack answered 503",
    ]);
    expect((await readFile(file.path, "utf8")).split("\n").filter(Boolean)).toHaveLength(2);
  });
});
