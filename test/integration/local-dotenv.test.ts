import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDotEnv, parseDotEnv } from "#shared/local/dotenv";

describe(".env for npm start", () => {
  it("reads the common dialect", () => {
    const text = [
      "# a comment",
      "",
      "PLAIN=value",
      "export EXPORTED=yes",
      "SPACED = trimmed  ",
      "INLINE=kept # dropped",
      "HASH=abc#def",
      "SINGLE='literal \\n $HOME'",
      'DOUBLE="line1\\nline2 \\"quoted\\""',
      'MULTI="-----BEGIN KEY-----',
      "abc",
      '-----END KEY-----"',
      "EMPTY=",
      "WINDOWS=crlf\r",
    ].join("\n");

    const { values, unreadable } = parseDotEnv(text);

    expect(values).toEqual({
      PLAIN: "value",
      EXPORTED: "yes",
      SPACED: "trimmed",
      INLINE: "kept",
      HASH: "abc#def",
      SINGLE: "literal \\n $HOME",
      DOUBLE: 'line1\nline2 "quoted"',
      MULTI: "-----BEGIN KEY-----\nabc\n-----END KEY-----",
      EMPTY: "",
      WINDOWS: "crlf",
    });
    expect(unreadable).toEqual([]);
  });

  it("reports lines it cannot read by number only", () => {
    const { values, unreadable } = parseDotEnv('GOOD=1\nthis is not a setting\n1BAD=x\nOPEN="never closed\n');
    expect(values).toEqual({ GOOD: "1" });
    expect(unreadable).toEqual([2, 3, 4]);
  });

  describe("loadDotEnv", () => {
    let dir: string | undefined;
    afterEach(async () => {
      delete process.env.RIPEN_TEST_FROM_FILE;
      delete process.env.RIPEN_TEST_ALREADY_SET;
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("sets what the environment does not already set, and says which", async () => {
      dir = await mkdtemp(join(tmpdir(), "ripen-dotenv-"));
      const path = join(dir, ".env");
      await writeFile(path, "RIPEN_TEST_FROM_FILE=file\nRIPEN_TEST_ALREADY_SET=file\n");
      process.env.RIPEN_TEST_ALREADY_SET = "environment";

      const loaded = await loadDotEnv(path);

      expect(loaded?.applied).toEqual(["RIPEN_TEST_FROM_FILE"]);
      expect(process.env.RIPEN_TEST_FROM_FILE).toBe("file");
      expect(process.env.RIPEN_TEST_ALREADY_SET).toBe("environment");
    });

    it("is undefined when there is no .env file", async () => {
      expect(await loadDotEnv(join(tmpdir(), "no-such-dir-ripen", ".env"))).toBeUndefined();
    });
  });
});
