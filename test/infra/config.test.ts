import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../infra/config";
import { CDK_CONTEXT } from "./ripen-app";

const configOf = (context: Record<string, unknown>) => readConfig(new App({ context }).node);

describe("the deployment settings", () => {
  it("synthesize from cdk.json alone: nothing is required", () => {
    // Act
    const config = configOf(CDK_CONTEXT);

    // Assess
    expect(config).toMatchObject({ logRetentionDays: 30, archiveRetentionDays: 30, tracing: false });
    expect(config.email).toBeUndefined();
    expect(config.publicUrl).toBeUndefined();
  });

  it("derive the SES identity from the from address's domain unless one is given", () => {
    expect(configOf({ "ripen:fromAddress": "alerts@acme.io" }).email).toEqual({
      fromAddress: "alerts@acme.io",
      identity: "acme.io",
    });
    expect(configOf({ "ripen:fromAddress": "alerts@acme.io", "ripen:sesIdentity": "alerts@acme.io" }).email).toEqual({
      fromAddress: "alerts@acme.io",
      identity: "alerts@acme.io",
    });
  });

  it("accept -c strings for numbers and flags", () => {
    expect(configOf({ "ripen:tracing": "true", "ripen:logRetentionDays": "90" })).toMatchObject({
      tracing: true,
      logRetentionDays: 90,
    });
  });

  it("take plain function settings from cdk.json or a -c JSON string, but never a secret", () => {
    // Prepare
    const settings = { SLACK_CHANNEL: "#sales", SLACK_DIRECT_TO_OWNER: true };

    // Act
    const fromObject = configOf({ "ripen:functionEnvironment": settings });
    const fromString = configOf({ "ripen:functionEnvironment": JSON.stringify(settings) });

    // Assess
    expect(fromObject.functionEnvironment).toEqual({ SLACK_CHANNEL: "#sales", SLACK_DIRECT_TO_OWNER: "true" });
    expect(fromString.functionEnvironment).toEqual(fromObject.functionEnvironment);
    expect(() => configOf({ "ripen:functionEnvironment": { SLACK_BOT_TOKEN: "xoxb-1" } })).toThrow(/Secrets Manager/);
    expect(() => configOf({ "ripen:functionEnvironment": { TABLE_NAME: "other" } })).toThrow(/set by the stack/);
  });

  it("refuse a function setting no function reads (a typo would otherwise deploy silently)", () => {
    expect(() => configOf({ "ripen:functionEnvironment": { SLACK_CHANEL: "#sales" } })).toThrow(
      /SLACK_CHANEL is read by no function/,
    );
    expect(configOf({ "ripen:functionEnvironment": { RIPEN_SWEEP_MAX_WRU: 500 } }).functionEnvironment).toEqual({
      RIPEN_SWEEP_MAX_WRU: "500",
    });
  });

  it("name the context key that is wrong", () => {
    expect(() => configOf({ "ripen:fromAddress": "not-an-address" })).toThrow(/ripen:fromAddress/);
    expect(() => configOf({ "ripen:logRetentionDays": 31 })).toThrow(/ripen:logRetentionDays: must be one of/);
  });

  it("refuse a sender throttle for a name no sender has, and a stage name CloudFormation could not take", () => {
    expect(() => configOf({ "ripen:webhookThrottles": { typeforms: { rateLimit: 1, burstLimit: 1 } } })).toThrow(
      /ripen:webhookThrottles: typeforms is no sender/,
    );
    expect(() => configOf({ "ripen:stage": "Prod_1" })).toThrow(/ripen:stage/);
  });

  it("reserve no notifier concurrency unless asked: 0 and empty mean off", () => {
    expect(configOf(CDK_CONTEXT).notifierReservedConcurrency).toBeUndefined();
    expect(configOf({ "ripen:notifierReservedConcurrency": "0" }).notifierReservedConcurrency).toBeUndefined();
    expect(configOf({ "ripen:notifierReservedConcurrency": "5" }).notifierReservedConcurrency).toBe(5);
    expect(() => configOf({ "ripen:notifierReservedConcurrency": -2 })).toThrow(/notifierReservedConcurrency/);
  });
});
