import { Annotations, type App, CfnOutput, CfnParameter, Tags } from "aws-cdk-lib";
import { TABLE } from "#shared/adapters/dynamodb/table-definition";
import type { ScoringModel } from "#shared/domain/model/schema";
import { compileModel } from "#shared/runtime/compiled-engine";
import { compileModelFile } from "#shared/runtime/scoring-model";
import { readConfig } from "./config";
import { addNagChecks } from "./nag";
import type { FunctionDefinition } from "./ripen-function";
import { StatefulStack } from "./stateful-stack";
import { StatelessStack } from "./stateless-stack";

export interface RipenOptions {
  /** The functions to build; FUNCTIONS unless a test needs another set. */
  functions?: Readonly<Record<string, FunctionDefinition>>;
  /** The scoring model the functions ship with, already validated; the model file (modelPath) unless given. */
  model?: ScoringModel;
}

/**
 * The whole deployment: a stateful stack (table, bus, secret) that is never replaced, and a stateless
 * one that depends on it, both checked by cdk-nag. The CDK app and the infra tests both build it here.
 */
export function defineRipen(app: App, options: RipenOptions = {}) {
  const config = readConfig(app.node);
  // Validated and compiled once, here: an invalid model stops the synth, and every function ships the artefact.
  const { model, compiled } = options.model
    ? { model: options.model, compiled: compileModel(options.model, "the scoring model given to defineRipen") }
    : compileModelFile();
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  const stateful = new StatefulStack(app, stackName("RipenStateful", config.stage), {
    env,
    description: "Ripen: lead table, event bus and archive, secrets (retained)",
    archiveRetentionDays: config.archiveRetentionDays,
    tableIndexes: config.tableIndexes,
  });
  new CfnOutput(stateful, "SecretsArn", {
    value: stateful.secret.secretArn,
    description: "Paste sender and Slack secrets into this secret's JSON",
  });
  new CfnOutput(stateful, "IdKeyArn", {
    value: stateful.idKey.secretArn,
    description: "The lead id key (generated; never change it): RIPEN_ID_KEY_ARN for npm run migrate -- lead-ids --aws",
  });

  new CfnOutput(stateful, "LinkKeyArn", {
    value: stateful.linkKey.secretArn,
    description: "The key of signed links to lead and funnel pages: RIPEN_LINK_KEY_ARN for npm run link -- --aws",
  });

  // What the recovery commands (npm run redrive, replay, republish) read from `cdk deploy --outputs-file`.
  new CfnOutput(stateful, "TableName", { value: stateful.table.tableName, description: "The lead table" });
  new CfnOutput(stateful, "EventBusArn", { value: stateful.bus.eventBusArn, description: "Ripen's event bus" });
  new CfnOutput(stateful, "ArchiveArn", {
    value: stateful.archive.archiveArn,
    description: "The bus's replay archive: npm run replay",
  });

  const stateless = new StatelessStack(app, stackName("RipenStateless", config.stage), {
    env,
    description: "Ripen: HTTP API, functions, pipe, rules, alarms",
    table: stateful.table,
    bus: stateful.bus,
    secret: stateful.secret,
    idKey: stateful.idKey,
    linkKey: stateful.linkKey,
    config,
    notifications: model.notifications,
    compiledModel: compiled,
    ...(options.functions && { functions: options.functions }),
  });

  guardIndexMove(config.tableIndexes, stateful, stateless);

  Tags.of(app).add("app", "ripen");
  const nag = addNagChecks(app);
  return { config, stateful, stateless, nag };
}

/**
 * A stack's name, with the stage when one is given. Without one the names stay as they were: renaming the
 * retained stateful stack would create a second table and orphan the first one's data (MIGRATIONS.md).
 */
export function stackName(base: string, stage: string | undefined): string {
  return stage === undefined ? base : `${base}-${stage}`;
}

/**
 * While a deployed table moves between releases (ripen:tableIndexes, MIGRATIONS.md), this release's
 * functions read indexes the table may not have yet. A synth error would stop `cdk deploy RipenStateful`
 * too (annotations fail the whole synth), so the guard is in the stateless template: a parameter whose
 * default is not an allowed value, which CloudFormation rejects before it changes anything.
 */
function guardIndexMove(tableIndexes: readonly string[], stateful: StatefulStack, stateless: StatelessStack) {
  const missing = TABLE.indexes.map((index) => index.name).filter((name) => !tableIndexes.includes(name));
  if (missing.length > 0) {
    const why = `the table lacks ${missing.join(", ")} (ripen:tableIndexes), which these functions read`;
    new CfnParameter(stateless, "TableIndexesReady", {
      type: "String",
      default: `no: ${why}`,
      allowedValues: ["yes"],
      constraintDescription: `${why}: deploy RipenStateful alone until every index is listed and ACTIVE (MIGRATIONS.md)`,
    });
    Annotations.of(stateless).addWarningV2(
      "ripen:tableIndexesMissing",
      `${why}: CloudFormation will refuse this stack`,
    );
  }
  const retired = tableIndexes.filter((name) => !TABLE.indexes.some((index) => index.name === name));
  if (retired.length > 0) {
    Annotations.of(stateful).addWarningV2(
      "ripen:retiredIndexes",
      `the table keeps retired ${retired.join(", ")} (ripen:tableIndexes): drop them one deploy at a time (MIGRATIONS.md)`,
    );
  }
}
