import { describe, expect, it } from "vitest";
import { FUNCTIONS, ROUTES } from "#shared/runtime/routes";
import { DEFAULT_TIMEOUT, FUNCTION_TIMEOUTS } from "../../infra/stateless-stack";
import { resourceAt, resourcesOfType, synthRipen } from "./ripen-app";

const { stateless, stateful } = synthRipen();
const functionAt = (name: string) => resourceAt(stateless, "AWS::Lambda::Function", `/${name}/Handler/Resource`);

describe("the functions", () => {
  it("are exactly one per FUNCTIONS entry", () => {
    expect(Object.keys(resourcesOfType(stateless, "AWS::Lambda::Function"))).toHaveLength(
      Object.keys(FUNCTIONS).length,
    );
  });

  it.each(Object.entries(FUNCTIONS))("%s runs on arm64 / nodejs22.x with its declared memory", (name, definition) => {
    // Prepare
    const [, handler] = functionAt(name);

    // Assess
    expect(handler.Properties).toMatchObject({
      Architectures: ["arm64"],
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      MemorySize: definition.memoryMb,
      Description: definition.description,
    });
  });

  it.each(Object.keys(FUNCTIONS))(
    "%s gets the table, bus, secret, service name, public URL and source maps",
    (name) => {
      // Prepare
      const [, handler] = functionAt(name);
      const [apiId] = resourceAt(stateless, "AWS::ApiGatewayV2::Api", "/Api/Http/Resource");
      const variables = (handler.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

      // Assess
      expect(Object.keys(variables)).toEqual(
        expect.arrayContaining(["TABLE_NAME", "RIPEN_SECRETS_ARN", "RIPEN_PUBLIC_URL"]),
      );
      // No function publishes to the bus itself (the Pipes do): it gets neither the bus's name nor PutEvents.
      expect(variables).not.toHaveProperty("EVENT_BUS_NAME");
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe("ripen");
      // Source-mapped stack traces, and room for the young generation that folding histories fills.
      expect(variables.NODE_OPTIONS).toBe("--enable-source-maps --max-semi-space-size=32");
      // The URL names the API only (not its stage or routes), which is what keeps it free of a cycle.
      expect(JSON.stringify(variables.RIPEN_PUBLIC_URL)).toContain(`{"Ref":"${apiId}"}`);
    },
  );

  it.each(Object.keys(FUNCTIONS))("%s gets the lead id key only if it hashes emails or event ids", (name) => {
    // Prepare
    const [, handler] = functionAt(name);
    const variables = (handler.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const [keyId] = resourceAt(stateful, "AWS::SecretsManager::Secret", "/IdKey/Resource");
    const [, policy] = resourceAt(stateless, "AWS::IAM::Policy", `/${name}/Role/DefaultPolicy/Resource`);
    const readsKey = JSON.stringify(policy.Properties).includes(keyId);

    // Assess
    const hashes = ["ingest", "read", "erase"].includes(name);
    expect("RIPEN_ID_KEY_ARN" in variables).toBe(hashes);
    expect(readsKey).toBe(hashes);
  });

  it.each(Object.keys(FUNCTIONS))("%s gets the link key only if it makes or checks signed links", (name) => {
    // Prepare
    const [, handler] = functionAt(name);
    const variables = (handler.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const [keyId] = resourceAt(stateful, "AWS::SecretsManager::Secret", "/LinkKey/Resource");
    const [, policy] = resourceAt(stateless, "AWS::IAM::Policy", `/${name}/Role/DefaultPolicy/Resource`);
    const readsKey = JSON.stringify(policy.Properties).includes(keyId);

    // Assess
    const links = ["read", "actions", "notify-slack", "notify-email"].includes(name);
    expect("RIPEN_LINK_KEY_ARN" in variables).toBe(links);
    expect(readsKey).toBe(links);
  });

  it.each(Object.keys(FUNCTIONS))("%s logs JSON to its own log group with a retention", (name) => {
    // Prepare
    const [, handler] = functionAt(name);
    const [logsId, logs] = resourceAt(stateless, "AWS::Logs::LogGroup", `/${name}/Logs/Resource`);

    // Assess
    expect(handler.Properties.LoggingConfig).toMatchObject({ LogFormat: "JSON", LogGroup: { Ref: logsId } });
    expect(logs.Properties.RetentionInDays).toBe(30);
  });

  it.each(Object.keys(FUNCTIONS))("%s has a timeout the API (30 s) or its job allows", (name) => {
    // Prepare
    const [, handler] = functionAt(name);
    const expected = (FUNCTION_TIMEOUTS[name] ?? DEFAULT_TIMEOUT).toSeconds();
    const behindApi = ROUTES.some((route) => route.function === name);

    // Assess
    expect(handler.Properties.Timeout).toBe(expected);
    if (behindApi) expect(expected).toBeLessThan(30);
  });

  it("pass ripen:functionEnvironment to every function", () => {
    // Prepare
    const configured = synthRipen({ context: { "ripen:functionEnvironment": { SLACK_CHANNEL: "#sales" } } });

    // Act
    const handlers = Object.values(resourcesOfType(configured.stateless, "AWS::Lambda::Function"));

    // Assess
    for (const handler of handlers) {
      expect(handler.Properties.Environment).toMatchObject({ Variables: { SLACK_CHANNEL: "#sales" } });
    }
  });

  it("use a configured public URL instead of the API's when one is given", () => {
    // Prepare
    const custom = synthRipen({ context: { "ripen:publicUrl": "https://leads.example.com" } });

    // Act
    const [, handler] = resourceAt(custom.stateless, "AWS::Lambda::Function", "/ingest/Handler/Resource");

    // Assess
    expect(handler.Properties.Environment).toMatchObject({
      Variables: { RIPEN_PUBLIC_URL: "https://leads.example.com" },
    });
  });
});
