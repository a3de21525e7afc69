import { describe, expect, it } from "vitest";
import { RULES } from "#shared/bus/rules";
import { RULE_DELIVERY } from "../../infra/rules";
import { arnOf, resourceAt, resourcesOfType, synthRipen } from "./ripen-app";

const { stateless } = synthRipen();

interface RuleTarget {
  Arn: unknown;
  RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
  DeadLetterConfig?: { Arn: unknown };
}

describe("the bus rules", () => {
  it("are exactly one per RULES entry", () => {
    expect(Object.keys(resourcesOfType(stateless, "AWS::Events::Rule"))).toHaveLength(Object.keys(RULES).length);
  });

  it.each(Object.entries(RULES))("%s matches its declared pattern on the Ripen bus", (name, definition) => {
    // Prepare
    const [, rule] = resourceAt(stateless, "AWS::Events::Rule", `/Rules/${name}/Resource`);

    // Assess
    expect(rule.Properties.EventPattern).toEqual(definition.pattern);
    expect(rule.Properties.Description).toBe(definition.description);
    expect(JSON.stringify(rule.Properties.EventBusName)).toMatch(/Bus/);
  });

  it.each(Object.entries(RULES))(
    "%s invokes its target with a retry policy and a dead-letter queue",
    (name, definition) => {
      // Prepare
      const [, rule] = resourceAt(stateless, "AWS::Events::Rule", `/Rules/${name}/Resource`);
      const [functionId] = resourceAt(stateless, "AWS::Lambda::Function", `/${definition.target}/Handler/Resource`);
      const [queueId] = resourceAt(stateless, "AWS::SQS::Queue", `/Rules/${name}DeadLetters/Resource`);

      // Act
      const targets = rule.Properties.Targets as RuleTarget[];

      // Assess
      expect(targets).toHaveLength(1);
      expect(targets[0]).toMatchObject({
        Arn: arnOf(functionId),
        RetryPolicy: {
          MaximumRetryAttempts: RULE_DELIVERY.retryAttempts,
          MaximumEventAgeInSeconds: RULE_DELIVERY.maxEventAge.toSeconds(),
        },
        DeadLetterConfig: { Arn: arnOf(queueId) },
      });
    },
  );

  it.each([...new Set(Object.values(RULES).map((rule) => rule.target))])(
    "%s keeps the events it failed on every retry (an on-failure destination)",
    (target) => {
      // Prepare
      const [functionId] = resourceAt(stateless, "AWS::Lambda::Function", `/${target}/Handler/Resource`);
      const [queueId] = resourceAt(stateless, "AWS::SQS::Queue", `/${target}FailedInvocations/Resource`);

      // Assess
      stateless.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
        FunctionName: { Ref: functionId },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arnOf(queueId) } },
      });
    },
  );
});
