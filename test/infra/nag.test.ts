import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Annotations, Match } from "aws-cdk-lib/assertions";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { addNagChecks } from "../../infra/nag";
import { buildRipen } from "./ripen-app";

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
}

/** Every rule acknowledged somewhere (reasons live next to the resources), so a new one is a visible change. */
const ACKNOWLEDGED = [
  "AwsSolutions-APIG4",
  "AwsSolutions-L1",
  "AwsSolutions-SMG4",
  "AwsSolutions-SNS2",
  "AwsSolutions-SQS3",
];

function synthesizeWithReport(context: Record<string, unknown> = {}) {
  const ripen = buildRipen({ context, cloudFormationValidation: true });
  const assembly = ripen.app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, "validation-report.json"), "utf8"));
  return { ...ripen, assembly, report: report as ValidationReport };
}

describe("cdk-nag (AWS Solutions)", () => {
  it.each([
    ["as configured by default", {}],
    [
      "with every option on",
      { "ripen:tracing": true, "ripen:fromAddress": "a@example.com", "ripen:alarmEmail": "b@example.com" },
    ],
  ])(
    "finds nothing unacknowledged, %s: no errors, no warnings, no annotations",
    (_, context) => {
      // Act
      const { app, nag, report, stateful, stateless } = synthesizeWithReport(context);

      // Assess: the synth's report lists a plugin only when it found something (nag, CloudFormation
      // schema validation, construct annotations); asking the registered pack directly must agree.
      expect(report.pluginReports).toEqual([]);
      expect(nag.validateScope(app)).toEqual({ success: true, violations: [] });
      for (const stack of [stateful, stateless]) {
        expect(Annotations.fromStack(stack).findError("*", Match.anyValue())).toEqual([]);
        expect(Annotations.fromStack(stack).findWarning("*", Match.anyValue())).toEqual([]);
      }
    },
    120_000,
  );

  it("acknowledges only the reviewed rules, each with its reason in the template", () => {
    // Prepare
    const { assembly, stateful, stateless } = synthesizeWithReport({ "ripen:tracing": true });
    const acknowledged = [stateful, stateless].flatMap((stack) =>
      Object.values(
        assembly.getStackArtifact(stack.artifactId).template.Resources as Record<
          string,
          { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }
        >,
      ).flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? []),
    );

    // Act
    const ids = [...new Set(acknowledged.map((rule) => rule.id.replace(/\[.*$/, "")))].sort();

    // Assess
    expect(ids).toEqual([...ACKNOWLEDGED, "AwsSolutions-IAM5"].sort());
    for (const rule of acknowledged) expect(rule.reason.length).toBeGreaterThan(40);
  }, 120_000);

  it("is live: an unacknowledged finding fails the synth", () => {
    // Prepare
    const app = new App();
    new Queue(new Stack(app, "Careless"), "PlainQueue");
    addNagChecks(app);

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-SQS/);
  });
});
