import * as z from "zod";
import { canMove } from "#shared/domain/stages";
import { BantModel, DEFAULT_BANT } from "./grammar/bant";
import { Identifier } from "./grammar/conditions";
import { EngagementModel } from "./grammar/engagement";
import { DEFAULT_FIELD_MAPPING, FieldMapping } from "./grammar/fields";
import { FitRule } from "./grammar/fit";
import { DEFAULT_NOTIFICATIONS, NotificationRule } from "./grammar/notifications";
import { Routing } from "./grammar/routing";
import { StageModel } from "./grammar/stages";

/** The file format; bumped only when a model written for an older format would mean something else. */
export const MODEL_FORMAT = 1;

/**
 * The scoring model: the one shared definition of "qualified" between marketing and sales.
 * `version` is yours: it is stamped on every lead and transition the model produces.
 */
const ModelShape = z.strictObject({
  format: z.literal(MODEL_FORMAT).default(MODEL_FORMAT).describe("the model file format"),
  version: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\w.:+-]+$/, "letters, digits and . _ : + -")
    .describe("your version of the model, recorded on leads and transitions"),
  description: z.string().optional(),
  lists: z
    .record(Identifier, z.array(z.string().min(1)).min(1))
    .default({})
    .describe("named lists for inList (free-mail domains, competitors, countries...)"),
  fields: FieldMapping.default(DEFAULT_FIELD_MAPPING),
  fit: z.array(FitRule).default([]),
  engagement: EngagementModel.default({ rules: [] }),
  bant: BantModel.default(DEFAULT_BANT),
  stages: StageModel.default({
    acceptance: "manual",
    mql: [],
    sql: [],
    sqo: [],
    disqualify: [],
    recycle: [],
    reopen: [],
    sla: [],
  }),
  routing: Routing.optional(),
  notifications: z.array(NotificationRule).default(DEFAULT_NOTIFICATIONS),
});
export type ScoringModel = z.output<typeof ModelShape>;
export type ScoringModelInput = z.input<typeof ModelShape>;

export const ScoringModel = ModelShape.superRefine(crossReferences).meta({
  id: "ScoringModel",
  title: "Ripen scoring model",
});

type Path = (string | number)[];

/** Checks what one field's schema cannot: ids are unique, and every name a rule refers to exists. */
function crossReferences(model: ScoringModel, ctx: z.RefinementCtx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: "custom", path, message });
  const seen = new Map<string, string>();
  const declare = (id: string, path: Path) => {
    const first = seen.get(id);
    if (first !== undefined) issue([...path, "id"], `duplicate id "${id}" (first used at ${first})`);
    else seen.set(id, formatPath(path));
  };
  const declareAll = (rules: readonly { id: string }[], path: Path) => {
    for (const [index, rule] of rules.entries()) declare(rule.id, [...path, index]);
  };
  declareAll(model.fit, ["fit"]);
  declareAll(model.engagement.rules, ["engagement", "rules"]);
  const scoringRules = new Set(seen.keys());
  for (const key of ["mql", "sql", "sqo", "disqualify", "recycle", "reopen", "sla"] as const) {
    declareAll(model.stages[key], ["stages", key]);
  }
  declareAll(model.routing?.rules ?? [], ["routing", "rules"]);
  declareAll(model.notifications, ["notifications"]);

  const owners = new Set<string>();
  for (const [index, owner] of (model.routing?.owners ?? []).entries()) {
    if (owners.has(owner.id)) issue(["routing", "owners", index, "id"], `duplicate owner id "${owner.id}"`);
    owners.add(owner.id);
  }
  const checkOwners = (ids: readonly string[], path: Path) => {
    for (const [index, id] of ids.entries()) {
      if (!owners.has(id)) issue([...path, index], `unknown owner "${id}" (owners: ${[...owners].join(", ")})`);
    }
  };
  for (const [index, rule] of (model.routing?.rules ?? []).entries()) {
    checkOwners(rule.owners, ["routing", "rules", index, "owners"]);
  }
  if (model.routing?.fallback) checkOwners(model.routing.fallback, ["routing", "fallback"]);

  for (const [index, rule] of model.stages.sla.entries()) {
    // An SLA on the review would never fall due without the gate that makes leads wait for one.
    if (rule.stage === "review" && model.stages.sqlReview !== true)
      issue(["stages", "sla", index, "stage"], "an SLA on the review needs stages.sqlReview: true");
  }
  for (const [index, rule] of model.notifications.entries()) {
    for (const [position, to] of rule.to.entries()) {
      // A rule on a move no writer ever makes would never alert, silently.
      if (rule.from && !rule.from.some((from) => canMove(from, to)))
        issue(["notifications", index, "to", position], `a lead never moves to ${to} from ${rule.from.join(" or ")}`);
    }
  }

  walk(model, [], (node, path) => {
    if (typeof node.inList === "string" && !(node.inList in model.lists))
      issue(
        [...path, "inList"],
        `unknown list "${node.inList}" (lists: ${Object.keys(model.lists).join(", ") || "none"})`,
      );
    if (path[0] !== "lists" && typeof node.rule === "string" && !scoringRules.has(node.rule))
      issue([...path, "rule"], `unknown rule "${node.rule}": "rule" names a fit or engagement rule`);
  });
}

function walk(node: unknown, path: Path, visit: (node: Record<string, unknown>, path: Path) => void): void {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) walk(item, [...path, index], visit);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  visit(record, path);
  for (const [key, value] of Object.entries(record)) walk(value, [...path, key], visit);
}

/** `engagement.rules[2].points`: the path as a reader finds it in the file. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text || "(top level)";
}
