import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { NotConfiguredError } from "#shared/domain/errors";
import { MIN_LINK_KEY_LENGTH } from "#shared/domain/links";

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
