import { describe, expect, it } from "vitest";
import { FUNCTIONS } from "#shared/runtime/routes";
import { MAINTENANCE_FUNCTION } from "../../infra/maintenance-schedule";
import type { FunctionDefinition } from "../../infra/ripen-function";
import { arnOf, resourceAt, resourcesOfType, synthRipen } from "./ripen-app";

/** FUNCTIONS with and without a maintenance entry, whatever FUNCTIONS holds today. */
const withoutMaintenance = Object.fromEntries(
  Object.entries(FUNCTIONS).filter(([name]) => name !== MAINTENANCE_FUNCTION),
);
const withMaintenance = {
  ...withoutMaintenance,
  [MAINTENANCE_FUNCTION]: (FUNCTIONS as Record<string, FunctionDefinition>)[MAINTENANCE_FUNCTION] ?? {
    entry: "functions/read.ts",
    description: "Daily sweep",
    memoryMb: 512,
  },
};

describe("the maintenance schedule", () => {
  it("does not exist while FUNCTIONS has no maintenance function", () => {
    // Act
    const { stateless } = synthRipen({ functions: withoutMaintenance });

    // Assess
    stateless.resourceCountIs("AWS::Scheduler::Schedule", 0);
  });

  it("runs the maintenance function daily, with retries, a dead-letter queue and only that function's ARN", () => {
    // Prepare
    const { stateless } = synthRipen({ functions: withMaintenance });
    const [functionId] = resourceAt(stateless, "AWS::Lambda::Function", `/${MAINTENANCE_FUNCTION}/Handler/Resource`);
    const [queueId] = resourceAt(stateless, "AWS::SQS::Queue", "/MaintenanceScheduleDeadLetters/Resource");

    // Act
    const schedules = Object.values(resourcesOfType(stateless, "AWS::Scheduler::Schedule"));
    const invokes = JSON.stringify(resourcesOfType(stateless, "AWS::IAM::Policy")).match(/lambda:InvokeFunction/g);

    // Assess
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.Properties).toMatchObject({
      ScheduleExpression: "cron(0 3 * * ? *)",
      Target: {
        Arn: arnOf(functionId),
        RetryPolicy: { MaximumRetryAttempts: 2 },
        DeadLetterConfig: { Arn: arnOf(queueId) },
      },
    });
    expect(invokes).not.toBeNull();
    expect(JSON.stringify(resourcesOfType(stateless, "AWS::IAM::Policy"))).not.toMatch(/:\*"/);
  });
});
