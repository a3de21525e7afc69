import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";
import { type ModelOrigin, parseModel } from "#shared/domain/model/parse";
import { InvalidModelError } from "#shared/domain/model/problems";
import type { ScoringModel } from "#shared/domain/model/schema";
import { modelFileName } from "./compiled-model-file";

/**
 * Reads a scoring model from YAML text. Syntax errors and schema problems both become one
 * InvalidModelError naming the file and, for each problem, its path in the file and its line.
 */
export function parseModelText(text: string, name: string): ScoringModel {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new InvalidModelError(
      name,
      document.errors.map((error) => {
        const at = lineCounter.linePos(error.pos[0]);
        return {
          path: "(yaml)",
          message: error.message.split("\n")[0] ?? error.message,
          line: at.line,
          column: at.col,
        };
      }),
    );
  }
  const origin: ModelOrigin = {
    name,
    locate(path) {
      const node = path.length === 0 ? document.contents : document.getIn(path as unknown[], true);
      if (!isNode(node) || !node.range) return undefined;
      const at = lineCounter.linePos(node.range[0]);
      return { line: at.line, column: at.col };
    },
  };
  return parseModel(document.toJS({ maxAliasCount: 100 }), origin);
}

/** Reads and validates the model file at `path`. */
export function readModelFile(path: string): ScoringModel {
  const name = modelFileName(path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidModelError(name, [{ path: "(file)", message: `cannot be read: ${(error as Error).message}` }]);
  }
  return parseModelText(text, name);
}
