import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

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
 * The browser the funnel page test drives: the one RIPEN_CHROMIUM names, else the first found in the usual
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
