import { describe, expect, it } from "vitest";
import { type BrowserLookup, findChromium } from "../support/browser";

function lookup(present: string[], overrides: Partial<BrowserLookup> = {}): BrowserLookup {
  return {
    env: {},
    platform: "linux",
    exists: (path) => present.includes(path),
    playwrightPath: () => "/home/dev/.cache/ms-playwright/chromium-1/chrome-linux/chrome",
    ...overrides,
  };
}

describe("findChromium", () => {
  it("takes the binary RIPEN_CHROMIUM names ahead of every usual place", () => {
    const found = findChromium(
      lookup(["/opt/chrome/chrome", "/usr/bin/chromium"], { env: { RIPEN_CHROMIUM: "/opt/chrome/chrome" } }),
    );
    expect(found).toBe("/opt/chrome/chrome");
  });

  it("refuses a RIPEN_CHROMIUM that names nothing, rather than quietly using another browser", () => {
    const named = lookup(["/usr/bin/chromium"], { env: { RIPEN_CHROMIUM: "/nowhere/chrome" } });
    expect(() => findChromium(named)).toThrow("RIPEN_CHROMIUM=/nowhere/chrome does not exist");
  });

  it("finds Debian's chromium, then Chrome, in the usual places", () => {
    expect(findChromium(lookup(["/usr/bin/chromium", "/usr/bin/google-chrome"]))).toBe("/usr/bin/chromium");
    expect(findChromium(lookup(["/usr/bin/google-chrome"]))).toBe("/usr/bin/google-chrome");
  });

  it("finds Chrome on macOS", () => {
    const chrome = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
    expect(findChromium(lookup([chrome, "/usr/bin/chromium"], { platform: "darwin" }))).toBe(chrome);
  });

  it("falls back to playwright's own download", () => {
    const cached = "/home/dev/.cache/ms-playwright/chromium-1/chrome-linux/chrome";
    expect(findChromium(lookup([cached]))).toBe(cached);
  });

  it("without any browser fails with one line that names the fix", () => {
    const error = (() => {
      try {
        findChromium(lookup([]));
      } catch (thrown) {
        return thrown as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain("apt-get install chromium");
    expect(error?.message).toContain("RIPEN_CHROMIUM=");
    expect(error?.message).not.toContain("\n");
  });
});
