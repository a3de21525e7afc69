import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { makeLink, parseLinkArgs } from "#shared/cli/link";
import { LINK_KEY_FILE } from "#shared/local/link-key";
import { startRipen } from "#shared/local/runtime";
import { GENERIC_SECRET, genericPayload } from "../support/generic";
import { postGeneric } from "../support/webhook-sender";

/** `npm run link` signs with the key `npm start` keeps in its data dir: its links open that server's pages. */

let dataDir: string;
let ripen: Awaited<ReturnType<typeof startRipen>>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ripen-link-cli-"));
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    inMemory: true,
    dataDir,
    tableName: `link-cli-${Date.now()}`,
    env: { RIPEN_SECRET_GENERIC: GENERIC_SECRET },
    log: () => {},
  });
}, 120_000);
afterAll(async () => {
  await ripen?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** As a shell that runs both would have it: the same RIPEN_ID_KEY (the tests set one), no RIPEN_LINK_KEY. */
const cliEnv = () => ({ RIPEN_ID_KEY: process.env.RIPEN_ID_KEY, RIPEN_DATA_DIR: dataDir, RIPEN_PUBLIC_URL: ripen.url });

describe("npm run link", () => {
  it("prints a funnel link the running server opens, with the key it keeps readable by its owner only", async () => {
    // Act
    const link = await makeLink(parseLinkArgs(["funnel", "--days", "30"]), cliEnv());
    const response = await fetch(link);

    // Assess
    expect(link.startsWith(`${ripen.url}/links/funnel/`)).toBe(true);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('id="funnel-chart"');
    expect((await stat(join(dataDir, LINK_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it("prints a lead's link by email, for a rep, that opens its page with the rep's actions", async () => {
    // Prepare
    const email = "cli-link@example.com";
    const body = genericPayload({ email, name: "Cleo Link", occurredAt: new Date().toISOString() });
    expect((await postGeneric(ripen.url, JSON.stringify(body))).status).toBe(200);

    // Act
    const link = await makeLink(parseLinkArgs(["lead", email, "--rep", "ben"]), cliEnv());
    const viewOnly = await makeLink(parseLinkArgs(["lead", email, "--view"]), cliEnv());
    const [page, view] = await Promise.all([fetch(link), fetch(viewOnly)]);

    // Assess
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Cleo Link");
    expect(html).toContain("as Ben Okafor");
    expect(await view.text()).not.toContain('method="post"');
  });

  it("refuses what it cannot make", () => {
    expect(() => parseLinkArgs([])).toThrow(/usage/);
    expect(() => parseLinkArgs(["lead"])).toThrow(/name the lead/);
    expect(() => parseLinkArgs(["funnel", "--rep", "ana"])).toThrow(/unknown argument/);
  });
});
