import { readFileSync } from "node:fs";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { defineRipen, type RipenOptions } from "../../infra/ripen";

/** The context `cdk synth` runs with: the tests check what the CLI would deploy. */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL("../../cdk.json", import.meta.url), "utf8"),
).context;

/** What the CLI adds: construct paths in template metadata (the tests find resources by path). */
const CLI_CONTEXT = { "aws:cdk:enable-path-metadata": true, "aws:cdk:enable-asset-metadata": true };

/** CDK's own switch: stacks not listed are not bundled (esbuild is slow; the templates are the same). */
const SKIP_BUNDLING = { "aws:cdk:bundling-stacks": [] };

export interface BuildOptions extends RipenOptions {
  context?: Record<string, unknown>;
  /**
   * CDK's built-in CloudFormation schema validation costs seconds per process; only the cdk-nag test,
   * which asserts on the whole validation report, turns it on.
   */
  cloudFormationValidation?: boolean;
}

/** The Ripen app as `cdk synth` builds it, without bundling. */
export function buildRipen({ context = {}, cloudFormationValidation = false, ...options }: BuildOptions = {}) {
  const app = new App({
    context: { ...CDK_CONTEXT, ...CLI_CONTEXT, ...SKIP_BUNDLING, ...context },
    builtinCloudFormationValidation: cloudFormationValidation,
  });
  return { app, ...defineRipen(app, options) };
}

/** Both templates, synthesized with the cdk-nag plugin (an unacknowledged error fails here too). */
export function synthRipen(options: BuildOptions = {}) {
  const ripen = buildRipen(options);
  return {
    ...ripen,
    stateful: Template.fromStack(ripen.stateful),
    stateless: Template.fromStack(ripen.stateless),
  };
}

export interface TemplateResource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
}

/** Resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, TemplateResource> {
  return template.findResources(type) as Record<string, TemplateResource>;
}

/** The one resource of a type whose construct path ends with `pathSuffix`: its logical id and body. */
export function resourceAt(template: Template, type: string, pathSuffix: string): [string, TemplateResource] {
  const matches = Object.entries(resourcesOfType(template, type)).filter(([, resource]) =>
    String(resource.Metadata?.["aws:cdk:path"] ?? "").endsWith(pathSuffix),
  );
  const [match] = matches;
  if (matches.length !== 1 || !match)
    throw new Error(`expected one ${type} at …${pathSuffix}, found ${matches.length}`);
  return match;
}

/** `{ "Fn::GetAtt": [logicalId, "Arn"] }`, as templates write it. */
export const arnOf = (logicalId: string) => ({ "Fn::GetAtt": [logicalId, "Arn"] });
