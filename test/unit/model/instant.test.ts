import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalInstantMs, instantMs, instantText } from "#shared/domain/instant";
import { compareFoldEvents, FoldEvent } from "#shared/domain/model/fold-event";
import { compareEvents, type StoredEvent } from "#shared/domain/scoring-engine";

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

describe("canonicalInstantMs", () => {
  it("reads exactly the texts toISOString writes for years 0000 to 9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        expect(canonicalInstantMs(new Date(ms).toISOString())).toBe(ms);
      }),
      { numRuns: 5_000 },
    );
  });

  it("is NaN for any other text, even one Date.parse reads (which instantMs then asks)", () => {
    for (const text of [
      "2026-02-29T00:00:00.000Z", // not a leap year: Date.parse rolls it over to March
      "2026-04-31T00:00:00.000Z",
      "2100-02-29T00:00:00.000Z",
      "2026-01-01T00:00:00Z",
      "2026-01-01T01:00:00.000+01:00",
      "2026-13-01T00:00:00.000Z",
      "2026-00-10T00:00:00.000Z",
      "2026-01-00T00:00:00.000Z",
      "2026-01-01T24:00:00.000Z",
      "2026-01-01T00:60:00.000Z",
      "2026-01-01T00:00:60.000Z",
      "20x6-01-01T00:00:00.000Z",
      "2026-01-01 00:00:00.000Z",
      "+002026-01-01T00:00:00.000Z",
      "2026-01-01T00:00:00.000z",
      "",
    ]) {
      expect(canonicalInstantMs(text)).toBeNaN();
      expect(instantMs(text)).toEqual(Date.parse(text));
    }
    expect(canonicalInstantMs("2024-02-29T23:59:59.999Z")).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(canonicalInstantMs("2000-02-29T00:00:00.000Z")).toBe(Date.UTC(2000, 1, 29));
    // Where its table of months (1970 to 2169) ends, on either side.
    for (const ms of [
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(1970, 0, 1),
      Date.UTC(2168, 1, 29),
      Date.UTC(2169, 11, 31, 23, 59, 59, 999),
      Date.UTC(2170, 0, 1),
      Date.UTC(2400, 1, 29),
    ])
      expect(canonicalInstantMs(new Date(ms).toISOString())).toBe(ms);
    expect(canonicalInstantMs("2169-02-29T00:00:00.000Z")).toBeNaN();
    expect(canonicalInstantMs("2170-02-29T00:00:00.000Z")).toBeNaN();
    expect(canonicalInstantMs("1969-02-29T00:00:00.000Z")).toBeNaN();
  });

  it("reads the first and last day of every month of its table (1970 to 2169) as Date.UTC does, and refuses the day after", () => {
    const two = (value: number) => String(value).padStart(2, "0");
    for (let year = 1970; year < 2170; year++) {
      for (let month = 1; month <= 12; month++) {
        const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
        const day = (date: number) => `${year}-${two(month)}-${two(date)}T23:59:59.999Z`;

        expect(canonicalInstantMs(day(1))).toBe(Date.UTC(year, month - 1, 1, 23, 59, 59, 999));
        expect(canonicalInstantMs(day(last))).toBe(Date.UTC(year, month - 1, last, 23, 59, 59, 999));
        if (last < 31) expect(canonicalInstantMs(day(last + 1))).toBeNaN();
      }
    }
  });
});

describe("compareFoldEvents", () => {
  // Canonical times near each other (ties and near-ties), other forms of the same instants, and nonsense.
  const time = fc.oneof(
    fc.integer({ min: 1_767_225_600_000, max: 1_767_225_600_009 }).map((ms) => new Date(ms).toISOString()),
    fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }).map((ms) => new Date(ms).toISOString()),
    fc.constantFrom(
      "2026-01-01T00:00:00Z",
      "2026-01-01T01:00:00.000+01:00",
      "2026-02-29T00:00:00.000Z",
      "2025-12-31T23:59:59.999Z",
      "not a time",
    ),
  );
  const event = fc.record({ occurredAt: time, eventId: fc.constantFrom("generic:a", "generic:b", "typeform:a") });
  const stored = (fields: { occurredAt: string; eventId: string }): StoredEvent => ({
    ...fields,
    receivedAt: "2026-01-02T00:00:00.000Z",
    source: "generic",
    sourceEventId: fields.eventId,
    type: "page.viewed",
    email: "ada@example.com",
    attributes: {},
    answers: {},
    properties: {},
  });

  it("orders read events exactly as compareEvents orders the events (time as text, then id)", () => {
    fc.assert(
      fc.property(event, event, (a, b) => {
        const expected = Math.sign(compareEvents(stored(a), stored(b)));

        expect(Math.sign(compareFoldEvents(new FoldEvent(stored(a)), new FoldEvent(stored(b))))).toBe(expected);
      }),
      { numRuns: 5_000 },
    );
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
