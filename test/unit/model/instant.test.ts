import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instantMs } from "../../../shared/domain/instant";

describe("instantMs", () => {
  it("reads canonical ISO instants exactly as Date.parse does", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        const iso = new Date(ms).toISOString();

        expect(instantMs(iso)).toBe(Date.parse(iso));
      }),
    );
  });

  it("leaves other forms and nonsense to Date.parse", () => {
    for (const text of [
      "2026-01-01T00:00:00Z",
      "2026-01-01T01:00:00.000+01:00",
      "2026-13-01T00:00:00.000Z",
      "2026-01-01T00:00:60.000Z",
      "20x6-01-01T00:00:00.000Z",
      "",
    ]) {
      expect(instantMs(text)).toEqual(Date.parse(text));
    }
  });
});
