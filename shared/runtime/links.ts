import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { AlertLog } from "#shared/application/ports/alert-ledger";
import type { Alert } from "#shared/domain/alert";
import { NotConfiguredError } from "#shared/domain/errors";
import { linkExpiry, MAX_REP_LENGTH, MIN_LINK_KEY_LENGTH, signLink } from "#shared/domain/links";

/** Reads the link key when first needed, then from a cache. */
export type LinkKeySource = () => Promise<string>;

/**
 * The key signed links are made and checked with. In AWS a secret of its own that the stack generates
 * (RIPEN_LINK_KEY_ARN names it; cached for five minutes, so a rotation, which voids every link out, is
 * picked up); elsewhere RIPEN_LINK_KEY (`npm start` makes one in its data dir). A key shared with a sender
 * would let that sender make links: the values of the signing secrets are refused.
 */
export function linkKeySource(env: NodeJS.ProcessEnv = process.env): LinkKeySource {
  return async () => {
    const key: unknown = env.RIPEN_LINK_KEY_ARN
      ? await getSecret(env.RIPEN_LINK_KEY_ARN, { maxAge: 300 })
      : env.RIPEN_LINK_KEY;
    if (typeof key !== "string" || key === "") {
      throw new NotConfiguredError("no link key: set RIPEN_LINK_KEY (RIPEN_LINK_KEY_ARN in AWS)");
    }
    if (key.length < MIN_LINK_KEY_LENGTH) {
      throw new NotConfiguredError(`the link key is shorter than ${MIN_LINK_KEY_LENGTH} characters`);
    }
    const shared = Object.entries(env).find(
      ([name, value]) =>
        value === key &&
        (name.startsWith("RIPEN_SECRET_") || name === "SLACK_SIGNING_SECRET" || name === "RIPEN_ID_KEY"),
    );
    if (shared) throw new NotConfiguredError(`the link key must not be the value of ${shared[0]}`);
    return key;
  };
}

/** The absolute URL of a path under the public base URL (which may carry a path of its own). */
export function publicLink(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${path}`;
}

/** The page a lead link opens (GET) and its actions are sent to (POST). */
export const leadPagePath = (leadId: string, token: string) =>
  `/links/leads/${encodeURIComponent(leadId)}/${encodeURIComponent(token)}`;
/** The funnel page a funnel link opens. */
export const funnelPagePath = (token: string) => `/links/funnel/${encodeURIComponent(token)}`;

export interface AlertPageLinkSettings {
  /** The API's URL in AWS, RIPEN_PUBLIC_URL locally; unset: alerts carry no page link. */
  publicUrl: string | undefined;
  /** How many days a link works (RIPEN_LINK_DAYS). */
  days: number;
  key: LinkKeySource;
  clock: () => Date;
  log: Pick<AlertLog, "warn">;
}

/**
 * The signed link to each alert's lead page: made for the lead's owner (actions through it are theirs),
 * for `days`. Undefined without a public URL, or without a link key (an alert without its link beats no
 * alert: the notifier says so in its log); a key that cannot be read now throws, so the bus retries.
 */
export async function alertPageLinks(settings: AlertPageLinkSettings): Promise<((alert: Alert) => string) | undefined> {
  const { publicUrl } = settings;
  if (!publicUrl) return undefined;
  let key: string;
  try {
    key = await settings.key();
  } catch (error) {
    if (!(error instanceof NotConfiguredError)) throw error;
    settings.log.warn("alerts go without a link to their lead page", { reason: error.message });
    return undefined;
  }
  return (alert) => {
    const rep = alert.owner?.id;
    const token = signLink(key, alert.leadId, {
      scope: "lead",
      expiresAt: linkExpiry(settings.clock(), settings.days),
      ...(rep && rep.length <= MAX_REP_LENGTH && { rep }),
    });
    return publicLink(publicUrl, leadPagePath(alert.leadId, token));
  };
}

/** alertPageLinks as a notifier reads its settings from its environment, made at the time of each alert. */
export const notifierPageLinks = (
  env: { RIPEN_PUBLIC_URL?: string | undefined; RIPEN_LINK_DAYS: number },
  key: LinkKeySource,
  log: Pick<AlertLog, "warn">,
) => alertPageLinks({ publicUrl: env.RIPEN_PUBLIC_URL, days: env.RIPEN_LINK_DAYS, key, clock: () => new Date(), log });
