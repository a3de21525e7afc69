import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { localDynamoDbClient } from "#shared/local/clients";
import { JavaUnavailableError, javaMajorVersion, startDynamoDbLocal } from "#shared/local/dynamodb-local";

let scratch: string;
const savedEnv = { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "ripen-ddb-local-"));
});

afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("DynamoDB Local: Java", () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "11.0.2" 2019-01-15', 11],
    ["no version here", undefined],
  ])("reads the major version from %j", (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });

  it("fails with one line naming the fix when java is missing", async () => {
    delete process.env.JAVA_HOME;
    process.env.PATH = join(scratch, "nothing-here");

    const error = await startDynamoDbLocal().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(JavaUnavailableError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toMatch(/^Java 17\+ is required for DynamoDB Local \(java was not found\): .*openjdk-17/);
    expect(message).toContain("DYNAMODB_ENDPOINT");
  });

  it.skipIf(process.platform === "win32")(
    "fails the same way, naming the version, when java is older than 17",
    async () => {
      // Prepare: a JAVA_HOME whose java reports Java 8.
      const home = join(scratch, "old-java");
      await mkdir(join(home, "bin"), { recursive: true });
      await writeFile(join(home, "bin", "java"), `#!/bin/sh\necho 'java version "1.8.0_392"' >&2\n`);
      await chmod(join(home, "bin", "java"), 0o755);
      process.env.JAVA_HOME = home;

      // Act
      const error = await startDynamoDbLocal().catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(JavaUnavailableError);
      expect((error as Error).message).toMatch(/\(found Java 8\): sudo apt-get install openjdk-17-jre-headless/);
    },
  );
});

describe("DynamoDB Local: no orphan JVM", () => {
  it("goes away when the process that started it is killed outright", { timeout: 120_000 }, async () => {
    // Prepare: a separate Node process starts DynamoDB Local and prints its endpoint.
    const script = join(scratch, "start-engine.mts");
    const module = resolve("shared/local/dynamodb-local.ts");
    await writeFile(
      script,
      `import { startDynamoDbLocal } from ${JSON.stringify(module)};\n` +
        "const engine = await startDynamoDbLocal();\n" +
        'process.stdout.write(engine.endpoint + "\\n");\n' +
        "setInterval(() => {}, 1000);\n",
    );
    const parent = spawn(process.execPath, ["--import", "tsx", script], { cwd: resolve("."), stdio: "pipe" });
    const endpoint = await new Promise<string>((done, fail) => {
      let output = "";
      parent.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split("\n").find((candidate) => candidate.startsWith("http://"));
        if (line) done(line.trim());
      });
      parent.once("exit", (code) => fail(new Error(`the parent exited early (${code})`)));
    });
    const client = localDynamoDbClient(endpoint, 1);
    const answers = () =>
      client.send(new ListTablesCommand({ Limit: 1 })).then(
        () => true,
        () => false,
      );
    expect(await answers()).toBe(true);

    // Act
    parent.kill("SIGKILL");

    // Assess
    const deadline = Date.now() + 30_000;
    while ((await answers()) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 200));
    expect(await answers()).toBe(false);
    client.destroy();
  });
});
