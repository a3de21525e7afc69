import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadEngine } from "#shared/runtime/scoring-model";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The CDK app as `npm run synth` runs it (cdk.json's command), in a process of its own. */
function synth(env: Record<string, string>) {
  const run = spawnSync(process.execPath, ["--import", "tsx", "infra/app.ts"], {
    cwd: ROOT,
    env: { ...process.env, CDK_OUTDIR: mkdtempSync(join(tmpdir(), "ripen-synth-")), ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: run.status, stderr: run.stderr };
}

function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the model loaded");
}

describe("the synth and the scoring model", () => {
  it.each([
    ["a schema problem", "version: v1\nstages:\n  acceptance: sometimes\n"],
    [
      "a snapshot over the budget",
      [
        "version: greedy-1",
        "engagement:",
        "  rules:",
        ...Array.from(
          { length: 40 },
          (_, index) =>
            `    - { id: r${index}, label: R, on: page.viewed, points: 1, cap: { max: 1000, perDays: 30 } }`,
        ),
        "",
      ].join("\n"),
    ],
  ])(
    "stops on a model with %s, with the message npm start and the model check give",
    (_, yaml) => {
      // Prepare
      const path = join(mkdtempSync(join(tmpdir(), "ripen-model-")), "ripen.model.yaml");
      writeFileSync(path, yaml);

      // Act
      const { status, stderr } = synth({ RIPEN_MODEL: path });

      // Assess
      expect(status).toBe(1);
      expect(stderr).toBe(`ripen: ${messageOf(() => loadEngine(path))}\n`);
    },
    120_000,
  );
});
