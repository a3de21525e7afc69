import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's chromium (apt-get install chromium), driven headless by playwright-core. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile (removed on close), at the viewport asked for. */
export async function launchBrowser(viewport?: { width: number; height: number }): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), "ripen-chromium-"));
  // A persistent context is how playwright takes a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ...(viewport && { viewport }),
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A page that keeps its script errors and refuses (and keeps) any request to another origin than `origin`. */
export async function watchedPage(context: BrowserContext, origin: string) {
  const page = await context.newPage();
  const problems: string[] = [];
  const elsewhere: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  await page.route("**/*", (route) => {
    if (route.request().url().startsWith(origin)) return route.continue();
    elsewhere.push(route.request().url());
    return route.abort();
  });
  return { page, problems, elsewhere };
}
