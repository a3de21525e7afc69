import { type IRole, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Schedule, ScheduleExpression } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke, type ScheduleTargetBaseProps } from "aws-cdk-lib/aws-scheduler-targets";
import type { Construct } from "constructs";
import { ASYNC_INVOCATION, catchAsyncFailures } from "./async-failures";
import { DeadLetterQueue } from "./dead-letter-queue";

/** The function the daily sweep runs, when FUNCTIONS declares it. */
export const MAINTENANCE_FUNCTION = "maintenance";

/** 03:00 UTC: after the working day in the Americas, before it starts in Europe. */
export const MAINTENANCE_CRON = { minute: "0", hour: "3" };

/**
 * The daily decay / recycle / SLA sweep, created only when a `maintenance` function exists.
 * Returns the schedule, or undefined when there is nothing to schedule.
 */
export function addMaintenanceSchedule(
  scope: Construct,
  handlers: ReadonlyMap<string, IFunction>,
): Schedule | undefined {
  const handler = handlers.get(MAINTENANCE_FUNCTION);
  if (!handler) return undefined;
  const deadLetters = new DeadLetterQueue(
    scope,
    "MaintenanceScheduleDeadLetters",
    "sweeps the scheduler could not start",
  );
  catchAsyncFailures(scope, MAINTENANCE_FUNCTION, handler);
  return new Schedule(scope, "MaintenanceSchedule", {
    description: "Ripen daily sweep: score decay, recycling, SLA breaches",
    schedule: ScheduleExpression.cron(MAINTENANCE_CRON),
    target: new InvokeLatest(handler, { ...ASYNC_INVOCATION, deadLetterQueue: deadLetters }),
  });
}

/** LambdaInvoke, granting the function itself only: the stock target also grants every version (`:*`). */
class InvokeLatest extends LambdaInvoke {
  constructor(
    private readonly handler: IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(handler, props);
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [this.handler.functionArn] }),
    );
  }
}
