import { Duration } from "aws-cdk-lib";
import { type EventPattern, type IEventBus, Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { RULES, type RuleDefinition } from "#shared/bus/rules";
import type { EventPattern as JsonEventPattern } from "#shared/bus/summary-schemas";
import { catchAsyncFailures } from "./async-failures";
import { DeadLetterQueue } from "./dead-letter-queue";

/** EventBridge's own retries when it cannot hand an event to the target function. */
export const RULE_DELIVERY = { retryAttempts: 8, maxEventAge: Duration.hours(6) };

export interface NotificationRulesProps {
  bus: IEventBus;
  handlers: ReadonlyMap<string, IFunction>;
  rules?: Readonly<Record<string, RuleDefinition>>;
}

/** One bus rule per RULES entry, each invoking its notifier with retries and a dead-letter queue. */
export class NotificationRules extends Construct {
  readonly rules = new Map<string, Rule>();
  readonly deadLetters: DeadLetterQueue[] = [];

  constructor(scope: Construct, id: string, props: NotificationRulesProps) {
    super(scope, id);
    for (const [name, definition] of Object.entries(props.rules ?? RULES)) {
      const handler = props.handlers.get(definition.target);
      if (!handler) throw new Error(`rule ${name} targets function "${definition.target}", which is not built`);

      const deadLetters = new DeadLetterQueue(this, `${name}DeadLetters`, `${name} events the bus could not deliver`);
      const rule = new Rule(this, name, {
        eventBus: props.bus,
        description: definition.description,
        eventPattern: toCdkPattern(definition.pattern),
      });
      rule.addTarget(new LambdaFunction(handler, { ...RULE_DELIVERY, deadLetterQueue: deadLetters }));
      this.rules.set(name, rule);
      this.deadLetters.push(deadLetters);

      const failures = catchAsyncFailures(this, definition.target, handler);
      if (!this.deadLetters.includes(failures)) this.deadLetters.push(failures);
    }
  }
}

/**
 * RULES hold patterns as EventBridge writes them (`detail-type`); the L2 Rule takes camelCase top-level
 * keys and writes them back in the same form, so the template's pattern equals the declared one.
 */
function toCdkPattern(pattern: JsonEventPattern): EventPattern {
  return Object.fromEntries(
    Object.entries(pattern).map(([key, value]) => [
      key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()),
      value,
    ]),
  ) as EventPattern;
}
