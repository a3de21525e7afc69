import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App, type CfnElement, Duration, Stack } from "aws-cdk-lib";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import { EventBus } from "aws-cdk-lib/aws-events";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { describe, expect, it } from "vitest";
import { RipenFunction } from "../../infra/ripen-function";
import { FUNCTIONS } from "../../shared/runtime/routes";

describe("a function's bundle", () => {
  it("is minified ESM with a require shim, a linked source map and no embedded sources", () => {
    // Prepare: one real esbuild run, on the smallest function.
    const app = new App({ context: { "aws:cdk:enable-asset-metadata": true } });
    const stack = new Stack(app, "Bundle");
    const ripenFunction = new RipenFunction(stack, "publish", {
      definition: FUNCTIONS.publish,
      permissions: {},
      table: new Table(stack, "Table", { partitionKey: { name: "pk", type: AttributeType.STRING } }),
      bus: new EventBus(stack, "Bus"),
      secret: new Secret(stack, "Secret"),
      idKey: new Secret(stack, "IdKey"),
      publicUrl: "https://example.com/",
      timeout: Duration.seconds(10),
      logRetention: RetentionDays.ONE_WEEK,
      tracing: false,
    });

    // Act
    const assembly = app.synth();
    const resources = assembly.getStackArtifact(stack.artifactId).template.Resources as Record<
      string,
      { Metadata?: Record<string, string> }
    >;
    const logicalId = stack.getLogicalId(ripenFunction.handler.node.defaultChild as CfnElement);
    const directory = join(assembly.directory, resources[logicalId]?.Metadata?.["aws:asset:path"] ?? "missing");
    const code = readFileSync(join(directory, "index.mjs"), "utf8");

    // Assess
    expect(
      code.startsWith("import{createRequire}from'node:module';const require=createRequire(import.meta.url);"),
    ).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*as handler\s*\}/);
    // Minified: a few very long lines (template literals and license comments keep some newlines).
    expect(code.length / code.split("\n").length).toBeGreaterThan(1000);
    expect(code).toContain("//# sourceMappingURL=index.mjs.map");
    expect(existsSync(join(directory, "index.mjs.map"))).toBe(true);
    expect(JSON.parse(readFileSync(join(directory, "index.mjs.map"), "utf8")).sourcesContent).toBeUndefined();
    // The model travels with the code: a Lambda's init loads it from beside the handler.
    expect(readFileSync(join(directory, "ripen.model.yaml"), "utf8")).toBe(readFileSync("ripen.model.yaml", "utf8"));
  }, 60_000);
});
