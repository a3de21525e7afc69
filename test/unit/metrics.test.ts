import { afterEach, describe, expect, it, vi } from "vitest";

/** countMetric from a fresh module with metrics on, and the lines it writes to stdout. */
async function withStdout() {
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
  vi.resetModules();
  const lines: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const { countMetric } = await import("#shared/runtime/powertools");
  return { countMetric, lines };
}

describe("countMetric", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it("writes one EMF line in the Ripen namespace with the count and its dimensions", async () => {
    const { countMetric, lines } = await withStdout();

    countMetric("WebhooksReceived", { source: "typeform" });

    const emf = lines.map((line) => JSON.parse(line)).find((entry) => entry._aws);
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: "Ripen", Metrics: [{ Name: "WebhooksReceived", Unit: "Count" }] }] },
      WebhooksReceived: 1,
      source: "typeform",
    });
    expect(emf._aws.CloudWatchMetrics[0].Dimensions[0]).toContain("source");
  });

  it("keeps each count's dimensions to its own line", async () => {
    const { countMetric, lines } = await withStdout();

    countMetric("PayloadsRefused", { source: "tally", code: "invalid_payload" });
    countMetric("WebhooksReceived", { source: "zoom" });
    countMetric("ContentionGiveUps");

    const emf = lines.map((line) => JSON.parse(line)).filter((entry) => entry._aws);
    expect(
      emf.map((entry) => [entry._aws.CloudWatchMetrics[0].Metrics, entry._aws.CloudWatchMetrics[0].Dimensions]),
    ).toEqual([
      [[{ Name: "PayloadsRefused", Unit: "Count" }], [["service", "source", "code"]]],
      [[{ Name: "WebhooksReceived", Unit: "Count" }], [["service", "source"]]],
      [[{ Name: "ContentionGiveUps", Unit: "Count" }], [["service"]]],
    ]);
    expect(emf.map((entry) => [entry.source, entry.code])).toEqual([
      ["tally", "invalid_payload"],
      ["zoom", undefined],
      [undefined, undefined],
    ]);
  });
});
