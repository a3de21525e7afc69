import { relative, resolve } from "node:path";
import { secretName } from "#shared/application/ingest-webhook";
import { SOURCES } from "#shared/domain/lead-event";
import { readEnv } from "#shared/runtime/env";
import { ROUTES, routeKey } from "#shared/runtime/routes";
import { type AccessSettings, accessEnvShape, localAccess } from "./access";
import type { DeadLetterFile } from "./dead-letters";
import { describeError } from "./describe-error";
import { applyDevelopmentSecrets, DEVELOPMENT_SECRET } from "./dev-secrets";
import { loadDotEnv } from "./dotenv";
import { OPENAPI_PATH } from "./http-server";
import { type SesEmulator, startSesEmulator } from "./ses-emulator";

/**
 * `npm start`: Ripen on this machine. Reads .env (values never printed), starts everything, says where
 * it listens, who may call it, which secrets are missing and whether anything sits in the dead letters;
 * Ctrl-C stops it all.
 */
async function main(): Promise<void> {
  // Before anything reads the environment: the handler modules read it once, at import.
  const dotenv = await loadDotEnv(resolve(".env"));
  const developmentSecrets = applyDevelopmentSecrets();
  const { RIPEN_PUBLIC_URL: publicUrl, RIPEN_ADMIN_TOKEN: adminToken } = readEnv(accessEnvShape);
  const access: AccessSettings = { ...(publicUrl && { publicUrl }), ...(adminToken && { adminToken }) };
  // EMF metric lines are for CloudWatch; on this machine they would only drown the log.
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const { startRipen } = await import("./runtime");
  const mail = await startMailbox();

  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error("PORT must be a port number");
  const engine = process.env.DYNAMODB_ENDPOINT ? `DynamoDB at ${process.env.DYNAMODB_ENDPOINT}` : "DynamoDB Local";
  const ripen = await startRipen({
    port,
    dataDir: process.env.RIPEN_DATA_DIR || ".ripen",
    ...(process.env.DYNAMODB_ENDPOINT && { dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT }),
    ...(process.env.TABLE_NAME && { tableName: process.env.TABLE_NAME }),
    publishNewLeads: flag("RIPEN_PUBLISH_NEW_LEADS"),
    ...access,
    log: (line) => console.log(line),
  });

  const missingSecrets = SOURCES.map(secretName).filter((name) => !process.env[name]);
  const slack = [
    ...(process.env.SLACK_WEBHOOK_URL || process.env.SLACK_BOT_TOKEN ? [] : ["SLACK_WEBHOOK_URL (alerts print here)"]),
    ...(process.env.SLACK_SIGNING_SECRET ? [] : ["SLACK_SIGNING_SECRET (Slack buttons are refused)"]),
  ];
  const lines = [
    "",
    `Ripen is listening on ${ripen.url}`,
    ...ROUTES.map((route) => `  ${routeKey(route)}`),
    `  GET ${OPENAPI_PATH} (this API's OpenAPI description)`,
    ...localAccess(access).summary(),
    `data:         ${ripen.dataDir} (${engine} at ${ripen.endpoint}, table ${ripen.tableName})`,
    `mail:         ${mail ? `${mail.url} (the SES emulator: every alert email sent here)` : `SES at ${process.env.SES_ENDPOINT}`}`,
    `links:        alerts link to their lead's page; \`npm run link -- funnel\` prints one to the funnel (key: ${process.env.RIPEN_LINK_KEY ? "RIPEN_LINK_KEY" : `${relative(process.cwd(), ripen.dataDir) || "."}/link-key`})`,
    `.env:         ${dotenvSummary(dotenv)}`,
    `not set:      ${missingSecrets.length > 0 ? `${missingSecrets.join(", ")} (those senders get 503)` : "no secret missing"}`,
    ...(slack.length > 0 ? [`              ${slack.join(", ")}`] : []),
    ...(developmentSecrets.length > 0
      ? [
          `dev secrets:  ${developmentSecrets.join(", ")} use "${DEVELOPMENT_SECRET}" on this machine`,
          "              (set them in .env, or RIPEN_DEV_SECRETS=false to refuse those senders)",
        ]
      : []),
    `lead ids:     ${process.env.RIPEN_ID_KEY ? "keyed with RIPEN_ID_KEY" : "keyed with the development key (set RIPEN_ID_KEY in .env for a key of your own; keep it: lead ids depend on it)"}`,
    `dead letters: ${await deadLetterSummary(ripen.deadLetters)}`,
    "Ctrl-C stops Ripen.",
    "",
  ];
  console.log(lines.join("\n"));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C: leave now; the DynamoDB Local watchdog still takes the JVM down with us.
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping Ripen…`);
    Promise.all([ripen.stop(), mail?.stop()]).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`ripen: stopping failed: ${describeError(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
}

/**
 * Alert emails go to a local SES v2 emulator (aws-ses-v2-local) unless SES_ENDPOINT names another;
 * RIPEN_SES_PORT picks its port (8005 by default, any free port when that one is taken).
 */
async function startMailbox(): Promise<SesEmulator | undefined> {
  if (process.env.SES_ENDPOINT) return undefined;
  const preferred = Number(process.env.RIPEN_SES_PORT ?? 8005);
  const mail = await startSesEmulator({ port: preferred }).catch(() => startSesEmulator({ port: 0 }));
  // Before the handler modules load: they read SES_ENDPOINT once, at import.
  process.env.SES_ENDPOINT = mail.url;
  return mail;
}

/** A true/false variable; unset or empty is false, anything else stops the start with its name. */
function flag(name: string): boolean {
  const value = process.env[name]?.trim().toLowerCase() ?? "";
  if (value === "" || value === "false") return false;
  if (value === "true") return true;
  throw new Error(`${name} must be true or false, not "${process.env[name]}"`);
}

function dotenvSummary(dotenv: Awaited<ReturnType<typeof loadDotEnv>>): string {
  if (!dotenv) return "none in this directory";
  const kept = Object.keys(dotenv.values).length - dotenv.applied.length;
  const parts = [`${dotenv.applied.length} variable(s) loaded`];
  if (kept > 0) parts.push(`${kept} already set in the environment`);
  if (dotenv.unreadable.length > 0) parts.push(`unreadable line(s) ${dotenv.unreadable.join(", ")}`);
  return parts.join("; ");
}

async function deadLetterSummary(deadLetters: DeadLetterFile): Promise<string> {
  const entries = await deadLetters.list();
  const latest = entries.at(-1);
  if (!latest) return "none";
  const where = relative(process.cwd(), deadLetters.path) || deadLetters.path;
  return `${entries.length} in ${where} (latest: ${latest.target} at ${latest.at}: ${latest.reason})`;
}

main().catch((error: unknown) => {
  // One line: the message names the fix (Java missing, port in use, bad checkpoint, ...).
  console.error(`ripen: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
