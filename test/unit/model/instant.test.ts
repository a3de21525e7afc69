import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instantMs, instantText } from "#shared/domain/instant";

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

describe("instantText", () => {
  it("writes every instant exactly as toISOString does", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }),
          fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
          fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }),
        ),
        (ms) => {
          expect(instantText(ms)).toBe(new Date(ms).toISOString());
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("at the edges of its four-digit years, leap days and fractions", () => {
    for (const ms of [
      -62_167_219_200_001,
      -62_167_219_200_000,
      0,
      -1,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2000, 1, 29),
      Date.UTC(1900, 2, 1),
      253_402_300_799_999,
      253_402_300_800_000,
      1.5,
    ]) {
      expect(instantText(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => instantText(Number.NaN)).toThrow(RangeError);
  });
});
