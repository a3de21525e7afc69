import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

/** Every TypeScript file the functions, the CLI and the stack are built from. */
function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".ts"))
    .map((path) => readFileSync(join(ROOT, folder, path), "utf8"));
}

/** Dependencies no file imports by name, and why they ship all the same. */
const USED_THROUGH: Record<string, string> = {
  "@aws-sdk/client-secrets-manager": "the optional peer @aws-lambda-powertools/parameters/secrets loads",
};

describe("the runtime dependencies", () => {
  const code = [...sources("functions"), ...sources("shared"), ...sources("infra")].join("\n");

  const imported = (name: string) => {
    // A package is used when some file imports it or one of its entry points ("pkg" or "pkg/..."),
    // statically or on first use.
    const quoted = `"${name.replace(/[/.*+?^${}()|[\]\\]/g, "\\$&")}(/[^"]*)?"`;
    return new RegExp(`(from |import\\()${quoted}`).test(code);
  };

  it.each(Object.keys(manifest.dependencies))("%s is imported by the code it ships with, or says why not", (name) => {
    expect({ name, imported: imported(name) || name in USED_THROUGH }).toEqual({ name, imported: true });
  });

  it("says why only for a dependency nothing imports", () => {
    for (const name of Object.keys(USED_THROUGH)) {
      expect({ name, imported: imported(name), declared: name in manifest.dependencies }).toEqual({
        name,
        imported: false,
        declared: true,
      });
    }
  });

  it("are pinned to exact versions", () => {
    for (const [name, version] of Object.entries(manifest.dependencies)) {
      expect({ name, version }).toEqual({ name, version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    }
  });
});
