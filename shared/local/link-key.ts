import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The file in a data dir that keeps this machine's link key. */
export const LINK_KEY_FILE = "link-key";

/**
 * The link key of a data dir: RIPEN_LINK_KEY when set, otherwise a random key made once and kept in the
 * data dir (readable by its owner only), so links stay valid across restarts and `npm run link` signs
 * with the key the server checks. Random, never a known development value: a tunnel (RIPEN_PUBLIC_URL)
 * exposes the link routes, and nobody may make links for them but this machine.
 */
export async function localLinkKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.RIPEN_LINK_KEY) return env.RIPEN_LINK_KEY;
  const path = join(dataDir, LINK_KEY_FILE);
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = randomBytes(32).toString("hex");
  try {
    // "wx": two processes starting at once keep the first one's key.
    await writeFile(path, `${key}\n`, { mode: 0o600, flag: "wx" });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return (await readFile(path, "utf8")).trim();
  }
}
