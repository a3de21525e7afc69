import { readFile } from "node:fs/promises";

export interface DotEnv {
  values: Record<string, string>;
  /** Line numbers that are not `NAME=value` (reported by number: a line may hold a secret). */
  unreadable: number[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/**
 * The common .env dialect: `NAME=value`, optional `export `, `#` comments, single quotes literal,
 * double quotes with \n-style escapes and spanning lines, unquoted values trimmed and ended by ` #`.
 */
export function parseDotEnv(text: string): DotEnv {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const values: Record<string, string> = {};
  const unreadable: number[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const equals = line.indexOf("=");
    const name = line
      .slice(0, Math.max(equals, 0))
      .replace(/^export\s+/, "")
      .trim();
    if (equals === -1 || !NAME.test(name)) {
      unreadable.push(index + 1);
      continue;
    }
    let value = line.slice(equals + 1).trim();
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      // A quoted value may continue on the following lines until its closing quote.
      let rest = value.slice(1);
      const startLine = index;
      while (closingQuote(rest, quote) === -1 && index + 1 < lines.length) rest += `\n${lines[++index]}`;
      const end = closingQuote(rest, quote);
      if (end === -1) {
        unreadable.push(startLine + 1);
        continue;
      }
      value = rest.slice(0, end);
      if (quote === '"') value = value.replace(/\\(.)/g, (sequence, char: string) => ESCAPES[char] ?? sequence);
    } else {
      value = value.replace(/\s+#.*$/, "").trim();
    }
    values[name] = value;
  }
  return { values, unreadable };
}

function closingQuote(text: string, quote: string): number {
  for (let at = 0; at < text.length; at++) {
    if (quote === '"' && text[at] === "\\") at++;
    else if (text[at] === quote) return at;
  }
  return -1;
}

/**
 * Loads a .env file into process.env without overriding what the environment already sets.
 * Returns undefined when there is no such file.
 */
export async function loadDotEnv(path: string): Promise<(DotEnv & { applied: string[] }) | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = parseDotEnv(text);
  const applied = Object.keys(parsed.values).filter((name) => process.env[name] === undefined);
  for (const name of applied) process.env[name] = parsed.values[name];
  return { ...parsed, applied };
}
