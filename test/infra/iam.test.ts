import type { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { FUNCTIONS } from "#shared/runtime/routes";
import { permissionsOf } from "../../infra/function-permissions";
import { resourceAt, resourcesOfType, synthRipen } from "./ripen-app";

interface Statement {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: unknown;
}

/**
 * Where AWS itself requires `*`: the action has no resource-level permissions, so no narrower resource
 * exists to name. Each entry says which actions, and why.
 */
const REQUIRED_WILDCARDS: { actions: string[]; why: string }[] = [
  {
    actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    why: "X-Ray has no resource-level permissions (only with ripen:tracing=true)",
  },
];

const POLICY_DOCUMENTS: Record<string, (properties: Record<string, unknown>) => unknown[]> = {
  "AWS::IAM::Policy": (properties) => [properties.PolicyDocument],
  "AWS::IAM::ManagedPolicy": (properties) => [properties.PolicyDocument],
  "AWS::IAM::Role": (properties) =>
    ((properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((policy) => policy.PolicyDocument),
  "AWS::SQS::QueuePolicy": (properties) => [properties.PolicyDocument],
  "AWS::SNS::TopicPolicy": (properties) => [properties.PolicyDocument],
};

function allowStatements(template: Template): Statement[] {
  return Object.entries(POLICY_DOCUMENTS).flatMap(([type, documentsOf]) =>
    Object.values(resourcesOfType(template, type))
      .flatMap((resource) => documentsOf(resource.Properties) as { Statement: Statement[] }[])
      .flatMap((document) => document.Statement)
      .filter((statement) => statement.Effect === "Allow"),
  );
}

/** Literal strings in a resource (tokens resolve to references; only literals can hold a wildcard). */
function literals(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(literals);
  if (value && typeof value === "object") return Object.values(value).flatMap(literals);
  return [];
}

const actionsOf = (statement: Statement) => [statement.Action].flat();
const isRequiredWildcard = (statement: Statement) =>
  actionsOf(statement).every((action) => REQUIRED_WILDCARDS.some((entry) => entry.actions.includes(action)));

describe.each([
  ["as configured by default", {}],
  ["with tracing and email on", { "ripen:tracing": true, "ripen:fromAddress": "alerts@example.com" }],
])("IAM, %s", (_, context) => {
  const { stateful, stateless } = synthRipen({ context });
  const statements = [...allowStatements(stateful), ...allowStatements(stateless)];

  it("grants no action on `*` or a wildcard resource, except where AWS requires it", () => {
    // Act
    const wildcards = statements.filter((statement) => literals(statement.Resource).some((text) => text.includes("*")));

    // Assess
    expect(statements.length).toBeGreaterThan(0);
    expect(wildcards.filter((statement) => !isRequiredWildcard(statement))).toEqual([]);
  });

  it("grants no wildcard actions", () => {
    const wildcardActions = statements.flatMap(actionsOf).filter((action) => action.includes("*"));
    expect(wildcardActions).toEqual([]);
  });

  it("lets no function put events on the bus: the Pipes publish, the functions only receive", () => {
    // Prepare
    const functionPolicies = Object.values(resourcesOfType(stateless, "AWS::IAM::Policy")).filter((policy) =>
      Object.keys(FUNCTIONS).some((name) =>
        String(policy.Metadata?.["aws:cdk:path"] ?? "").endsWith(`/${name}/Role/DefaultPolicy/Resource`),
      ),
    );

    // Act
    const putting = functionPolicies
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => actionsOf(statement).includes("events:PutEvents"));

    // Assess
    expect(functionPolicies.length).toBeGreaterThan(0);
    expect(putting).toEqual([]);
    expect(statements.some((statement) => actionsOf(statement).includes("events:PutEvents"))).toBe(true);
  });

  it("lets only the run worker scan, and only the table itself (a run's Scan segments)", () => {
    // Prepare
    const [, workerPolicy] = resourceAt(stateless, "AWS::IAM::Policy", "/worker/Role/DefaultPolicy/Resource");
    const workerStatements = (workerPolicy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;

    // Act
    const scanning = statements.filter((statement) => actionsOf(statement).includes("dynamodb:Scan"));

    // Assess
    expect(scanning).toHaveLength(1);
    expect(workerStatements).toContainEqual(scanning[0]);
    expect(JSON.stringify(scanning[0]?.Resource)).not.toContain("index");
  });
});

describe("email", () => {
  const senders = Object.keys(FUNCTIONS).filter((name) => permissionsOf(name).sendEmail);

  it("only functions that send email may send it, and only from the configured identity", () => {
    // Prepare
    const { stateless } = synthRipen({ context: { "ripen:fromAddress": "alerts@leads.example.com" } });

    // Act
    const sending = allowStatements(stateless).filter((statement) => actionsOf(statement).includes("ses:SendEmail"));

    // Assess
    expect(sending).toHaveLength(senders.length);
    for (const statement of sending)
      expect(JSON.stringify(statement.Resource)).toContain(":identity/leads.example.com");
    for (const name of senders) {
      const [, handler] = resourceAt(stateless, "AWS::Lambda::Function", `/${name}/Handler/Resource`);
      expect(handler.Properties.Environment).toMatchObject({
        Variables: { RIPEN_FROM_EMAIL: "alerts@leads.example.com" },
      });
    }
  });

  it("covers the configuration set when one is configured", () => {
    // Prepare
    const context = { "ripen:fromAddress": "alerts@leads.example.com", "ripen:sesConfigurationSet": "ripen-alerts" };
    const { stateless } = synthRipen({ context });

    // Act
    const sending = allowStatements(stateless).filter((statement) => actionsOf(statement).includes("ses:SendEmail"));

    // Assess
    for (const statement of sending)
      expect(JSON.stringify(statement.Resource)).toContain(":configuration-set/ripen-alerts");
  });

  it("is not granted to anyone while no from address is configured", () => {
    const { stateless } = synthRipen();
    expect(JSON.stringify(resourcesOfType(stateless, "AWS::IAM::Policy"))).not.toContain("ses:");
  });
});
