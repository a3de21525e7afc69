import * as z from "zod";
import { ScoringModel } from "./schema";

/**
 * The JSON Schema of the model file, generated from the zod schema so the two never disagree.
 * Draft-07 because it is what YAML editors (yaml-language-server) understand best.
 */
export function modelJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ScoringModel, { io: "input", target: "draft-7" }),
    title: "Ripen scoring model (ripen.model.yaml)",
  };
}
