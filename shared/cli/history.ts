import { createWriteStream } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { seededRandom } from "#shared/domain/calibration/seeded-random";

/**
 * `npm run history -- --leads <n> [--seed <n>] [--until <ISO date>] [--out <file>]`: writes a synthetic
 * history of leads as JSON lines in the generic webhook's format, one event a line, for `npm run import`:
 * forms with company facts, page views, webinars, demos, and for four leads in five an outcome
 * (`opportunity.won` or `opportunity.lost`) a few weeks after the first touch. Who wins follows weights
 * this file states (TRUE_WEIGHTS), so `npm run model -- calibrate` has a known answer to find. The same
 * seed, count and `--until` write the same file.
 */
export const TRUE_WEIGHTS = {
  intercept: -2.6,
  demoCompleted: 1.6,
  pricingPage: 0.8,
  enterprise: 0.6,
  decisionMaker: 0.5,
  webinarAttended: 0.4,
  careersPage: -0.8,
  freeEmail: -1.2,
} as const;

const INDUSTRIES = ["software", "saas", "fintech", "retail", "education", "manufacturing", "consulting"];
const TITLES = ["Head of Marketing", "Marketing Manager", "CEO", "Student", "VP Sales", "Analyst", "Engineer"];
const FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com"];
const DAY_MS = 86_400_000;

export interface HistoryOptions {
  leads: number;
  seed: number;
  until: Date;
}

/** The events of the history, in lead order (the import orders them by time itself). */
export function* historyEvents(options: HistoryOptions): Generator<Record<string, unknown>> {
  const random = seededRandom(options.seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const span = 300 * DAY_MS;
  for (let lead = 0; lead < options.leads; lead++) {
    const freeEmail = random() < 0.15;
    const company = `company${Math.floor(random() * options.leads)}`;
    const domain = freeEmail ? pick(FREE_MAIL) : `${company}.example`;
    const email = `lead${options.seed}-${lead}@${domain}`;
    // Every lead's story fits before `until`: first touch up to 300 days back, outcome at most 70 days later.
    const start = options.until.getTime() - 80 * DAY_MS - Math.floor(random() * span);
    const size = Math.floor(10 ** (1 + random() * 3.5));
    const title = pick(TITLES);
    const facts = {
      enterprise: size > 1000,
      decisionMaker: /CEO|Head|VP/.test(title),
      pricingPage: random() < 0.35,
      careersPage: random() < 0.1,
      webinarAttended: random() < 0.25,
      demoCompleted: random() < 0.15,
    };
    let at = start;
    let sequence = 0;
    const event = (type: string, extra: Record<string, unknown> = {}) => {
      at += Math.floor(random() * 3 * DAY_MS) + 60_000;
      return {
        type,
        eventId: `history-${options.seed}-${lead}-${sequence++}`,
        occurredAt: new Date(at).toISOString(),
        email,
        ...extra,
      };
    };
    yield event("form.submitted", {
      name: `Lead ${lead}`,
      ...(!freeEmail && { company }),
      attributes: { companySize: size, industry: pick(INDUSTRIES), jobTitle: title },
      properties: { formTitle: "Lead scoring whitepaper" },
    });
    yield event("page.viewed", { properties: { path: "/blog/lead-scoring" } });
    if (facts.pricingPage) yield event("page.viewed", { properties: { path: "/pricing" } });
    if (facts.careersPage) yield event("page.viewed", { properties: { path: "/careers" } });
    if (facts.webinarAttended) {
      yield event("webinar.registered");
      yield event("webinar.attended", { properties: { durationMinutes: 20 + Math.floor(random() * 40) } });
    }
    if (facts.demoCompleted) {
      yield event("demo.scheduled");
      yield event("demo.completed");
    }
    const logOdds =
      TRUE_WEIGHTS.intercept +
      (facts.demoCompleted ? TRUE_WEIGHTS.demoCompleted : 0) +
      (facts.pricingPage ? TRUE_WEIGHTS.pricingPage : 0) +
      (facts.enterprise ? TRUE_WEIGHTS.enterprise : 0) +
      (facts.decisionMaker ? TRUE_WEIGHTS.decisionMaker : 0) +
      (facts.webinarAttended ? TRUE_WEIGHTS.webinarAttended : 0) +
      (facts.careersPage ? TRUE_WEIGHTS.careersPage : 0) +
      (freeEmail ? TRUE_WEIGHTS.freeEmail : 0);
    const won = random() < 1 / (1 + Math.exp(-logOdds));
    // One lead in five has no outcome yet.
    if (random() < 0.8) {
      at = Math.max(at, start + 20 * DAY_MS);
      yield event(won ? "opportunity.won" : "opportunity.lost");
    }
  }
}

function parseArgs(args: readonly string[]): HistoryOptions & { out?: string } {
  const options: HistoryOptions & { out?: string } = { leads: 1000, seed: 1, until: new Date() };
  for (let index = 0; index < args.length; index += 2) {
    const [name, value] = [args[index], args[index + 1]];
    if (value === undefined) throw new Error(`${name} needs a value`);
    if (name === "--leads") options.leads = Number.parseInt(value, 10);
    else if (name === "--seed") options.seed = Number.parseInt(value, 10);
    else if (name === "--until") options.until = new Date(value);
    else if (name === "--out") options.out = value;
    else throw new Error(`unknown option ${name}`);
  }
  if (!(Number.isInteger(options.leads) && options.leads > 0))
    throw new Error("--leads must be a whole number above 0");
  if (Number.isNaN(options.until.getTime())) throw new Error("--until must be a date");
  return options;
}

async function main(args: readonly string[]): Promise<void> {
  const options = parseArgs(args);
  const output = options.out ? createWriteStream(resolve(options.out)) : process.stdout;
  let lines = 0;
  for (const event of historyEvents(options)) {
    if (!output.write(`${JSON.stringify(event)}\n`))
      await new Promise<void>((drained) => output.once("drain", () => drained()));
    lines++;
  }
  if (options.out) {
    await new Promise<void>((closed, failed) =>
      (output as ReturnType<typeof createWriteStream>).end((error?: Error | null) =>
        error ? failed(error) : closed(),
      ),
    );
    console.error(`wrote ${lines} events of ${options.leads} leads to ${options.out}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
