import { resolve } from "node:path";
import { LeadId } from "#shared/domain/lead";
import { DEFAULT_LINK_DAYS, FUNNEL_SUBJECT, type LinkScope, linkExpiry, signLink } from "#shared/domain/links";
import { DEVELOPMENT_ID_KEY } from "#shared/domain/pseudonyms";
import { localLinkKey } from "#shared/local/link-key";
import { funnelPagePath, leadPagePath, linkKeySource, publicLink } from "#shared/runtime/links";
import { pseudonymSource } from "#shared/runtime/pseudonyms";
import { runWhenStarted } from "./command";

const USAGE = [
  "npm run link -- funnel [--days 30]",
  "npm run link -- lead <lead id or email> [--rep <owner id>] [--view] [--days 7]",
  "  --aws: sign with the deployed link key (RIPEN_LINK_KEY_ARN, RIPEN_PUBLIC_URL set)",
].join("\n       ");

export interface LinkRequest {
  what: "funnel" | "lead";
  lead?: string;
  rep?: string;
  view: boolean;
  days: number;
  aws: boolean;
}

export function parseLinkArgs(argv: readonly string[]): LinkRequest {
  const [what, ...rest] = argv;
  if (what !== "funnel" && what !== "lead") throw new Error(`usage: ${USAGE}`);
  const request: LinkRequest = { what, view: false, days: what === "funnel" ? 30 : DEFAULT_LINK_DAYS, aws: false };
  for (let index = 0; index < rest.length; index++) {
    const argument = rest[index] ?? "";
    const value = () => {
      const next = rest[++index];
      if (next === undefined) throw new Error(`${argument} needs a value\nusage: ${USAGE}`);
      return next;
    };
    if (argument === "--days") request.days = Number(value());
    else if (argument === "--rep" && what === "lead") request.rep = value();
    else if (argument === "--view" && what === "lead") request.view = true;
    else if (argument === "--aws") request.aws = true;
    else if (!argument.startsWith("--") && what === "lead" && request.lead === undefined) request.lead = argument;
    else throw new Error(`unknown argument ${argument}\nusage: ${USAGE}`);
  }
  if (what === "lead" && !request.lead) throw new Error(`name the lead\nusage: ${USAGE}`);
  return request;
}

/**
 * The signed link a request asks for: the funnel page for a manager, or a lead's page (for a rep, who
 * then acts as themself; or to view only). Locally, signed with the key `npm start` keeps in its data dir
 * and built on RIPEN_PUBLIC_URL or the local server's URL; with --aws, the deployed key and URL.
 */
export async function makeLink(request: LinkRequest, env: NodeJS.ProcessEnv = process.env, now = new Date()) {
  const expiresAt = linkExpiry(now, request.days);
  const base = request.aws
    ? required(env.RIPEN_PUBLIC_URL, "RIPEN_PUBLIC_URL (the API's URL)")
    : env.RIPEN_PUBLIC_URL || `http://127.0.0.1:${env.PORT || 3000}`;
  if (request.aws) required(env.RIPEN_LINK_KEY_ARN, "RIPEN_LINK_KEY_ARN (the stack's LinkKey secret)");
  const key = request.aws
    ? await linkKeySource(env)()
    : await localLinkKey(resolve(env.RIPEN_DATA_DIR || ".ripen"), env);
  if (request.what === "funnel") {
    return publicLink(base, funnelPagePath(signLink(key, FUNNEL_SUBJECT, { scope: "funnel", expiresAt })));
  }
  const leadId = await leadIdOf(request.lead ?? "", request.aws ? env : localIdEnv(env));
  const scope: LinkScope = request.view ? "lead:view" : "lead";
  const token = signLink(key, leadId, { scope, expiresAt, ...(request.rep && { rep: request.rep }) });
  return publicLink(base, leadPagePath(leadId, token));
}

async function leadIdOf(lead: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (lead.includes("@")) return (await pseudonymSource(env)()).leadId(lead);
  if (!LeadId.safeParse(lead).success)
    throw new Error("a lead is named by its id (ld_ and 24 hex digits) or its email");
  return lead;
}

/** Locally, lead ids are keyed with RIPEN_ID_KEY, or the development key `npm start` uses without it. */
const localIdEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ...env,
  RIPEN_ID_KEY: env.RIPEN_ID_KEY || DEVELOPMENT_ID_KEY,
  RIPEN_LOCAL: "1",
});

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`set ${name}`);
  return value;
}

runWhenStarted(import.meta.url, "link", async (argv) => {
  const request = parseLinkArgs(argv);
  console.log(await makeLink(request));
  const until = new Date(linkExpiry(new Date(), request.days) * 1000).toISOString();
  console.error(
    `(works until ${until}; anyone with it can open ${request.what === "funnel" ? "the funnel" : "the lead"})`,
  );
  return 0;
});
