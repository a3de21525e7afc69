import { secretName } from "#shared/application/ingest-webhook";
import { SOURCES } from "#shared/domain/lead-event";

/**
 * On this machine only, a sender without a configured secret uses this one, so the README's curl example
 * and `npm run demo` work right after `npm install && npm start`. The server listens on 127.0.0.1 only;
 * RIPEN_DEV_SECRETS=false turns it off, and so does a RIPEN_PUBLIC_URL. Never used by the Lambdas.
 */
export const DEVELOPMENT_SECRET = "dev-secret";

/**
 * Fills in the development secret for every source without one; returns the names it filled in. Never
 * with RIPEN_PUBLIC_URL set: the secret is public, and a tunnel lets anyone sign with it.
 */
export function applyDevelopmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.RIPEN_DEV_SECRETS === "false" || env.RIPEN_PUBLIC_URL) return [];
  const filled: string[] = [];
  for (const name of SOURCES.map(secretName)) {
    if (env[name]) continue;
    env[name] = DEVELOPMENT_SECRET;
    filled.push(name);
  }
  return filled;
}
