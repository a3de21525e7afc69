import { resolve } from "node:path";
import { DEVELOPMENT_SECRET } from "#shared/local/dev-secrets";
import { loadDotEnv } from "#shared/local/dotenv";
import { runWhenStarted } from "./command";
import { type JourneySource, journey, replayJourney, WEBINAR_TOOLS, type WebinarTool } from "./demo-journey";
import { makeLink } from "./link";

/**
 * `npm run demo`: replays one buyer's journey against the running local Ripen, signed with the local
 * secrets (RIPEN_SECRET_TYPEFORM, _CALENDLY and the webinar tool's, from the environment or .env): a
 * "Talk to sales" Typeform with budget and timeline, a webinar registration and 45 minutes of attendance
 * (Zoom, Livestorm or GoToWebinar), then a Calendly demo booking. The lead ripens step by step to sql,
 * which sends the Slack alert.
 * Usage: npm run demo [-- [<base URL>] [--webinar zoom|livestorm|gotowebinar]]
 *        (default http://127.0.0.1:$PORT, PORT 3000; Zoom)
 */
async function main(): Promise<void> {
  await loadDotEnv(resolve(".env"));
  const { baseUrl, webinarTool } = parseArguments(process.argv.slice(2));
  const sources: JourneySource[] = ["typeform", webinarTool, "calendly"];
  const secrets: Partial<Record<JourneySource, string>> = {};
  const missing: string[] = [];
  for (const source of sources) {
    const name = `RIPEN_SECRET_${source.toUpperCase()}`;
    secrets[source] = process.env[name] || (process.env.RIPEN_DEV_SECRETS === "false" ? "" : DEVELOPMENT_SECRET);
    if (secrets[source] === "") missing.push(name);
  }
  if (missing.length > 0) {
    throw new Error(`set ${missing.join(", ")} (in the environment or .env) to the secrets \`npm start\` uses`);
  }

  const run = Date.now().toString(36).toUpperCase();
  const email = `ada.${run.toLowerCase()}@example.com`;
  console.log(`Replaying a buyer's journey for ${email} against ${baseUrl}, with ${webinarTool}\n`);
  const replayed = await replayJourney(
    baseUrl,
    journey(run, email, new Date(), webinarTool),
    secrets as Record<JourneySource, string>,
  ).catch((error: unknown) => {
    throw new Error(`cannot reach Ripen at ${baseUrl} (is \`npm start\` running?): ${(error as Error).message}`);
  });
  let last: Record<string, unknown> = {};
  for (const { step, status, answer } of replayed) {
    if (status < 200 || status > 299) throw new Error(`${step.title}: ${status} ${JSON.stringify(answer)}`);
    last = answer;
    console.log(`${step.title}\n  → ${status} stage ${answer.stage}, score ${answer.score}\n`);
  }
  const alert = process.env.SLACK_WEBHOOK_URL
    ? "the sales-ready alert is on its way to Slack"
    : "set SLACK_WEBHOOK_URL to receive the sales-ready alert in Slack";
  const waiting = last.sqlReady === true;
  console.log(
    last.stage === "sql"
      ? `Lead ${last.leadId} is sql: ${alert}.`
      : waiting
        ? `Lead ${last.leadId} is sql-ready at ${last.stage}: the model's SDR gate (stages.sqlReview) waits for its owner to Qualify or Disqualify it.`
        : `Lead ${last.leadId} ended at ${last.stage}; the model decides when a lead is sql (ripen.model.yaml).`,
  );
  console.log(`Its score, reasons and BANT: curl ${baseUrl}/leads/${last.leadId}`);
  if (last.stage === "sql" || waiting) {
    // The alert `npm start` prints (or posts) carries the owner's link; this one asks who accepts.
    const page = await makeLink(
      { what: "lead", lead: String(last.leadId), view: false, days: 7, aws: false },
      { ...process.env, RIPEN_PUBLIC_URL: process.env.RIPEN_PUBLIC_URL || baseUrl },
    );
    console.log(`Its page, to accept, qualify, disqualify or recycle it from a browser: ${page}`);
  }
}

function parseArguments(args: readonly string[]): { baseUrl: string; webinarTool: WebinarTool } {
  let baseUrl = `http://127.0.0.1:${process.env.PORT || 3000}`;
  let webinarTool: WebinarTool = "zoom";
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--webinar") {
      const tool = args[++index] ?? "";
      if (!(WEBINAR_TOOLS as readonly string[]).includes(tool)) {
        throw new Error(`--webinar takes ${WEBINAR_TOOLS.join(", ")}, not "${tool}"`);
      }
      webinarTool = tool as WebinarTool;
    } else baseUrl = arg;
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ""), webinarTool };
}

runWhenStarted(import.meta.url, "demo", async () => {
  await main();
  return 0;
});
