import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** The variable that names a Chromium or Chrome binary, ahead of every usual place. */
export const BROWSER_VARIABLE = "RIPEN_CHROMIUM";

/** Where Chromium and Chrome usually live: Debian/Ubuntu, snap, Fedora, macOS, Windows. */
const USUAL_PLACES: Record<string, string[]> = {
  linux: [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/snap/bin/chromium",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
  ],
  darwin: [
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  ],
  win32: [
    "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
    "C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe",
  ],
};

export interface BrowserLookup {
  env: Record<string, string | undefined>;
  platform: string;
  exists: (path: string) => boolean;
  /** Where `npx playwright-core install chromium` puts its browser. */
  playwrightPath: () => string;
}

const HOST: BrowserLookup = {
  env: process.env,
  platform: process.platform,
  exists: existsSync,
  playwrightPath: () => chromium.executablePath(),
};

/**
 * The browser the page tests drive: the one RIPEN_CHROMIUM names, else the first found in the usual
 * places, else playwright's own download. None found throws one line that names the fix.
 */
export function findChromium(lookup: BrowserLookup = HOST): string {
  const named = lookup.env[BROWSER_VARIABLE];
  if (named) {
    if (lookup.exists(named)) return named;
    throw new Error(`${BROWSER_VARIABLE}=${named} does not exist: point it at a Chromium or Chrome binary`);
  }
  const candidates = [...(USUAL_PLACES[lookup.platform] ?? []), safely(lookup.playwrightPath)];
  const found = candidates.find((path) => path !== "" && lookup.exists(path));
  if (found) return found;
  throw new Error(
    `No Chromium or Chrome found: install one (apt-get install chromium, brew install --cask chromium, or npx playwright-core install chromium) or set ${BROWSER_VARIABLE}=/path/to/chrome`,
  );
}

function safely(path: () => string): string {
  try {
    return path();
  } catch {
    return "";
  }
}

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

/**
 * A headless Chromium (findChromium's) with a fresh profile (removed on close), at the viewport asked
 * for, driven by playwright-core.
 */
export async function launchBrowser(viewport?: { width: number; height: number }): Promise<TestBrowser> {
  const executablePath = findChromium();
  const profile = await mkdtemp(join(tmpdir(), "ripen-chromium-"));
  // A persistent context is how playwright takes a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
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
