import { BlockList, isIP } from "node:net";
import type { EventPattern } from "#shared/bus/summary-schemas";

/**
 * EventBridge event-pattern matching for the local bus and the local Pipe filter, so both route events
 * as AWS does. Semantics follow the EventBridge user guide ("Event patterns", "Content filtering",
 * "Comparison operators"): a pattern field is an array of alternatives or a nested pattern; fields AND,
 * alternatives OR; operators apply to leaf values only; an array in the event matches when any element does.
 */

const OR = "$or";
/** How assertValidPattern checks each operator's operand; the keys are every operator AWS accepts. */
const OPERAND_CHECKS = new Map<string, (operand: unknown, path: string) => void>([
  ["prefix", checkAffix],
  ["suffix", checkAffix],
  ["equals-ignore-case", checkString],
  ["wildcard", checkWildcardOperand],
  ["anything-but", checkAnythingBut],
  ["numeric", checkNumeric],
  ["exists", checkExists],
  ["cidr", checkCidr],
]);
const ANYTHING_BUT_FORMS = new Set(["prefix", "suffix", "equals-ignore-case", "wildcard"]);
const COMPARISONS = new Map<string, (value: number, bound: number) => boolean>([
  ["<", (value, bound) => value < bound],
  ["<=", (value, bound) => value <= bound],
  ["=", (value, bound) => value === bound],
  [">", (value, bound) => value > bound],
  [">=", (value, bound) => value >= bound],
]);

type JsonObject = Record<string, unknown>;

/** A pattern AWS would refuse; `path` locates the offending part, e.g. `detail.state[0].numeric`. */
export class InvalidEventPatternError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Invalid event pattern at ${path || "(root)"}: ${reason}`);
    this.name = "InvalidEventPatternError";
  }
}

/** True when `event` satisfies `pattern`. Never throws; a malformed part of a pattern simply doesn't match. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchesFields(pattern, event);
}

/** Throws InvalidEventPatternError for a pattern AWS would reject, so a misdeclared rule fails at startup. */
export function assertValidPattern(pattern: EventPattern): void {
  checkFields(pattern, "");
}

function matchesFields(pattern: JsonObject, node: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === OR && isOrClause(expected)) return expected.some((branch) => matchesFields(branch, node));
    const actual = isObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
    if (Array.isArray(expected)) return matchesLeaf(expected, leafValues(actual));
    return isObject(expected) && matchesNested(expected, actual);
  });
}

// Objects inside an event array are tried one at a time, so a match never combines fields taken from
// different elements (EventBridge's array-consistent matching).
function matchesNested(pattern: JsonObject, actual: unknown): boolean {
  const candidates: unknown[] = Array.isArray(actual)
    ? actual.flat(Number.POSITIVE_INFINITY).filter(isObject)
    : [actual];
  if (candidates.length === 0) candidates.push(undefined);
  return candidates.some((candidate) => matchesFields(pattern, candidate));
}

/** Leaf values at a field: objects are not leaves, and nested arrays flatten into their elements. */
function leafValues(actual: unknown): unknown[] {
  if (actual === undefined) return [];
  if (Array.isArray(actual)) return actual.flat(Number.POSITIVE_INFINITY).filter((value) => !isObject(value));
  return isObject(actual) ? [] : [actual];
}

function matchesLeaf(alternatives: unknown[], values: unknown[]): boolean {
  const present = values.length > 0;
  return alternatives.some((alternative) =>
    isObject(alternative) && Object.hasOwn(alternative, "exists")
      ? (alternative.exists === true) === present
      : values.some((value) => matchesValue(alternative, value)),
  );
}

function matchesValue(alternative: unknown, value: unknown): boolean {
  // Plain values compare by JSON type and value: 300 matches 300.0, "300" does not.
  if (!isObject(alternative)) return alternative === value;
  const [operator, operand] = onlyEntry(alternative);
  switch (operator) {
    case "prefix":
      return matchesAffix(operand, value, (text, affix) => text.startsWith(affix));
    case "suffix":
      return matchesAffix(operand, value, (text, affix) => text.endsWith(affix));
    case "equals-ignore-case":
      return typeof value === "string" && typeof operand === "string" && sameIgnoringCase(value, operand);
    case "wildcard":
      return typeof value === "string" && typeof operand === "string" && matchesWildcard(operand, value);
    case "anything-but":
      return matchesAnythingBut(operand, value);
    case "numeric":
      return typeof value === "number" && Array.isArray(operand) && inNumericRange(operand, value);
    case "cidr":
      return typeof value === "string" && typeof operand === "string" && inCidr(operand, value);
    default:
      return false;
  }
}

function matchesAffix(operand: unknown, value: unknown, test: (text: string, affix: string) => boolean): boolean {
  if (typeof value !== "string") return false;
  if (typeof operand === "string") return test(value, operand);
  const ignoringCase = ignoreCaseOperand(operand);
  return typeof ignoringCase === "string" && test(value.toLowerCase(), ignoringCase.toLowerCase());
}

// anything-but only rejects values of the kind it lists, as AWS's matcher does: a string list never
// excludes a number, and the prefix/suffix/ignore-case/wildcard forms never exclude a non-string.
function matchesAnythingBut(operand: unknown, value: unknown): boolean {
  if (!isObject(operand)) return !listOf(operand).some((excluded) => excluded === value);
  const [form, listed] = onlyEntry(operand);
  if (!ANYTHING_BUT_FORMS.has(form)) return false;
  if (typeof value !== "string") return true;
  return !listOf(listed).some((excluded) => typeof excluded === "string" && matchesForm(form, excluded, value));
}

function matchesForm(form: string, operand: string, value: string): boolean {
  if (form === "prefix") return value.startsWith(operand);
  if (form === "suffix") return value.endsWith(operand);
  if (form === "equals-ignore-case") return sameIgnoringCase(value, operand);
  return matchesWildcard(operand, value);
}

function inNumericRange(terms: unknown[], value: number): boolean {
  if (terms.length === 0) return false;
  for (let index = 0; index < terms.length; index += 2) {
    const compare = COMPARISONS.get(String(terms[index]));
    const bound = terms[index + 1];
    if (!compare || typeof bound !== "number" || !compare(value, bound)) return false;
  }
  return true;
}

function inCidr(cidr: string, address: string): boolean {
  const block = parseCidr(cidr);
  if (typeof block === "string" || isIP(address) !== block.family) return false;
  const family = block.family === 4 ? "ipv4" : "ipv6";
  const list = new BlockList();
  list.addSubnet(block.base, block.bits, family);
  return list.check(address, family);
}

/** Splits `base/bits`, or says what is wrong with it. */
function parseCidr(cidr: string): { base: string; bits: number; family: number } | string {
  const [base = "", bits = "", ...rest] = cidr.split("/");
  const family = isIP(base);
  if (rest.length > 0 || !/^\d{1,3}$/.test(bits)) return `"${cidr}" is not base/bits`;
  if (family === 0) return `"${base}" is not an IP address`;
  const width = Number(bits);
  if (width > (family === 4 ? 32 : 128)) return `/${width} is too wide for IPv${family}`;
  return { base, bits: width, family };
}

const wildcards = new Map<string, RegExp | string>();

function matchesWildcard(wildcard: string, value: string): boolean {
  const compiled = compileWildcard(wildcard);
  return compiled instanceof RegExp && compiled.test(value);
}

/** `*` is any run of characters, `\*` a star, `\\` a backslash; returns the reason when it can't compile. */
function compileWildcard(wildcard: string): RegExp | string {
  const cached = wildcards.get(wildcard);
  if (cached !== undefined) return cached;
  let source = "";
  let compiled: RegExp | string | undefined;
  for (let index = 0; index < wildcard.length && compiled === undefined; index++) {
    const char = wildcard.charAt(index);
    if (char === "*") {
      if (wildcard.charAt(index + 1) === "*") compiled = "consecutive wildcard characters are not allowed";
      source += "[\\s\\S]*";
    } else if (char === "\\") {
      const escaped = wildcard.charAt(++index);
      if (escaped !== "*" && escaped !== "\\") compiled = "a backslash may only escape * or \\";
      source += `\\${escaped}`;
    } else {
      source += char.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&");
    }
  }
  compiled ??= new RegExp(`^${source}$`);
  wildcards.set(wildcard, compiled);
  return compiled;
}

function checkFields(pattern: JsonObject, path: string): void {
  const entries = Object.entries(pattern);
  if (entries.length === 0) invalid(path, "a pattern must name at least one field");
  for (const [key, expected] of entries) {
    const at = path ? `${path}.${key}` : key;
    if (key === OR && Array.isArray(expected)) {
      if (!isOrClause(expected)) invalid(at, "$or needs an array of at least 2 patterns");
      for (const [index, branch] of expected.entries()) checkFields(branch, `${at}[${index}]`);
    } else if (Array.isArray(expected)) {
      checkLeaf(expected, at);
    } else if (isObject(expected)) {
      checkFields(expected, at);
    } else {
      invalid(at, "a leaf must be an array of values or operators");
    }
  }
}

function checkLeaf(alternatives: unknown[], path: string): void {
  if (alternatives.length === 0) invalid(path, "empty arrays are not allowed");
  for (const [index, alternative] of alternatives.entries()) {
    const at = `${path}[${index}]`;
    if (isObject(alternative)) checkOperator(alternative, at);
    else if (!isScalar(alternative)) invalid(at, "a value must be a string, number, boolean, null or operator");
  }
}

function checkOperator(alternative: JsonObject, path: string): void {
  const keys = Object.keys(alternative);
  if (keys.length !== 1) invalid(path, `an operator object holds exactly one operator, not ${keys.length}`);
  const [operator, operand] = onlyEntry(alternative);
  const checkOperand = OPERAND_CHECKS.get(operator);
  if (!checkOperand) invalid(path, `unknown operator ${JSON.stringify(operator)}`);
  checkOperand(operand, `${path}.${operator}`);
}

function checkAffix(operand: unknown, path: string): void {
  if (typeof operand !== "string" && typeof ignoreCaseOperand(operand) !== "string") {
    invalid(path, 'must be a string or {"equals-ignore-case": string}');
  }
}

function checkString(operand: unknown, path: string): void {
  if (typeof operand !== "string") invalid(path, "must be a string");
}

function checkWildcardOperand(operand: unknown, path: string): void {
  checkString(operand, path);
  checkWildcard(String(operand), path);
}

function checkExists(operand: unknown, path: string): void {
  if (typeof operand !== "boolean") invalid(path, "must be true or false");
}

function checkCidr(operand: unknown, path: string): void {
  const block = typeof operand === "string" ? parseCidr(operand) : "must be a string";
  if (typeof block === "string") invalid(path, block);
}

function checkWildcard(wildcard: string, path: string): void {
  const compiled = compileWildcard(wildcard);
  if (typeof compiled === "string") invalid(path, compiled);
}

// AWS accepts one comparison, or a lower bound (> or >=) then an upper bound (< or <=) with lower < upper.
function checkNumeric(operand: unknown, path: string): void {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    invalid(path, 'must be [op, number] or [">"|">=", number, "<"|"<=", number]');
  }
  for (let index = 0; index < operand.length; index += 2) {
    if (!COMPARISONS.has(String(operand[index]))) invalid(path, `unknown comparison ${JSON.stringify(operand[index])}`);
    const bound = operand[index + 1];
    if (typeof bound !== "number" || !Number.isFinite(bound)) invalid(path, `${JSON.stringify(bound)} is not a number`);
  }
  if (operand.length === 4) {
    const [lowerOp, lower, upperOp, upper] = operand as [string, number, string, number];
    if (!lowerOp.startsWith(">") || !upperOp.startsWith("<")) invalid(path, "a range is a lower then an upper bound");
    if (lower >= upper) invalid(path, "the lower bound must be below the upper bound");
  }
}

function checkAnythingBut(operand: unknown, path: string): void {
  if (isObject(operand)) {
    const [form, listed] = onlyEntry(operand);
    if (Object.keys(operand).length !== 1 || !ANYTHING_BUT_FORMS.has(form)) invalid(path, `unsupported form ${form}`);
    const values = listOf(listed);
    if (values.length === 0 || !values.every((value) => typeof value === "string")) {
      invalid(path, `${form} takes a string or a list of strings`);
    }
    if ((form === "prefix" || form === "suffix") && values.includes(""))
      invalid(path, `an empty ${form} is not allowed`);
    if (form === "wildcard") for (const value of values) checkWildcard(String(value), `${path}.wildcard`);
    return;
  }
  const values = listOf(operand);
  const allStrings = values.every((value) => typeof value === "string");
  const allNumbers = values.every((value) => typeof value === "number" && Number.isFinite(value));
  if (values.length === 0 || !(allStrings || allNumbers)) {
    invalid(path, "must be a string, a number, or a non-empty list of only strings or only numbers");
  }
}

function invalid(path: string, reason: string): never {
  throw new InvalidEventPatternError(path, reason);
}

function isOrClause(value: unknown): value is JsonObject[] {
  return Array.isArray(value) && value.length >= 2 && value.every(isObject);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  return value === null || typeof value === "string" || typeof value === "boolean";
}

function onlyEntry(object: JsonObject): [string, unknown] {
  return Object.entries(object)[0] ?? ["", undefined];
}

/** The string in `{"equals-ignore-case": string}`, the only object prefix and suffix accept. */
function ignoreCaseOperand(operand: unknown): unknown {
  const keys = isObject(operand) ? Object.keys(operand) : [];
  return isObject(operand) && keys.length === 1 ? operand["equals-ignore-case"] : undefined;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function sameIgnoringCase(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}
