import { type App, CfnOutput, Tags } from "aws-cdk-lib";
import { readConfig } from "./config";
import { addNagChecks } from "./nag";
import type { FunctionDefinition } from "./ripen-function";
import { StatefulStack } from "./stateful-stack";
import { StatelessStack } from "./stateless-stack";

export interface RipenOptions {
  /** The functions to build; FUNCTIONS unless a test needs another set. */
  functions?: Readonly<Record<string, FunctionDefinition>>;
}

/**
 * The whole deployment: a stateful stack (table, bus, secret) that is never replaced, and a stateless
 * one that depends on it, both checked by cdk-nag. The CDK app and the infra tests both build it here.
 */
export function defineRipen(app: App, options: RipenOptions = {}) {
  const config = readConfig(app.node);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  const stateful = new StatefulStack(app, "RipenStateful", {
    env,
    description: "Ripen: lead table, event bus and archive, secrets (retained)",
    archiveRetentionDays: config.archiveRetentionDays,
  });
  new CfnOutput(stateful, "SecretsArn", {
    value: stateful.secret.secretArn,
    description: "Paste sender and Slack secrets into this secret's JSON",
  });

  const stateless = new StatelessStack(app, "RipenStateless", {
    env,
    description: "Ripen: HTTP API, functions, pipe, rules, alarms",
    table: stateful.table,
    bus: stateful.bus,
    secret: stateful.secret,
    config,
    ...(options.functions && { functions: options.functions }),
  });

  Tags.of(app).add("app", "ripen");
  const nag = addNagChecks(app);
  return { config, stateful, stateless, nag };
}
