import { describe, expect, it } from "vitest";
import { consentGate, givesConsent } from "#shared/application/consent-gate";
import { type ErasureStore, eraseLead, type PersonItem } from "#shared/application/erase-lead";
import type { Tombstone } from "#shared/application/ports/tombstones";
import { ConsentRequiredError, LeadNotFoundError } from "#shared/domain/errors";
import { leadEvent } from "../../support/events";
import { leadIdOf, testPseudonyms } from "../../support/pseudonyms";

/** An erasure store over a map of sort keys; `landing` items appear once, as a concurrent write would. */
function memoryErasureStore(items: PersonItem[], landing: PersonItem[] = []) {
  const partition = new Map(items.map((item) => [item.key, item]));
  let tombstone: Tombstone | undefined;
  const stubs: string[] = [];
  const audits: unknown[] = [];
  const erasedEvents = new Set<string>();
  const store: ErasureStore = {
    async tombstoneOf() {
      return tombstone;
    },
    async putTombstone(value) {
      tombstone = value;
    },
    async personItems() {
      const now = [...partition.values()];
      for (const item of landing.splice(0)) partition.set(item.key, item);
      return now;
    },
    async replaceWithStubs(_leadId, anonymousId, transitions) {
      for (const item of transitions) {
        partition.delete(item.key);
        stubs.push(anonymousId);
      }
      return transitions.length;
    },
    async replaceEventsWithRecords(_leadId, keys) {
      for (const key of keys) {
        partition.delete(key);
        erasedEvents.add(key);
      }
    },
    async deleteItems(_leadId, keys) {
      for (const key of keys) partition.delete(key);
    },
    async recordAudit(audit) {
      audits.push(audit);
    },
  };
  return { store, partition, stubs, audits, erasedEvents, tombstone: () => tombstone };
}

const now = () => new Date("2026-11-20T09:30:00Z");
const transition = (key: string): PersonItem => ({
  key,
  entity: "transition",
  stub: { from: null, to: "lead", at: key },
});

describe("erasing a person", () => {
  it("takes a write that lands meanwhile too, and stubs every transition under one random id", async () => {
    const memory = memoryErasureStore(
      [{ key: "LEAD", entity: "lead" }, transition("TRANSITION#1"), { key: "EVENT#a", entity: "event" }],
      [{ key: "EVENT#late", entity: "event" }, transition("TRANSITION#2")],
    );

    const result = await eraseLead({ store: memory.store, clock: now, pseudonyms: testPseudonyms })({
      idOrEmail: "Someone@Example.com",
      requestedBy: "local",
    });

    expect(result).toMatchObject({
      erasedOn: "2026-11-20",
      deleted: { lead: 1, event: 2, transition: 2 },
      stubsKept: 2,
    });
    expect(memory.partition.size).toBe(0);
    expect(new Set(memory.stubs).size).toBe(1);
    expect(memory.tombstone()).toEqual({
      leadId: leadIdOf("someone@example.com"),
      erasedOn: "2026-11-20",
      erasedAt: "2026-11-20T09:30:00.000Z",
    });
    expect([...memory.erasedEvents].sort()).toEqual(["EVENT#a", "EVENT#late"]);
    expect(JSON.stringify(memory.audits)).not.toContain("@");
  });

  it("answers 404 for an unknown id, but takes an email it never saw (a request to be blocked)", async () => {
    const erase = eraseLead({ store: memoryErasureStore([]).store, clock: now, pseudonyms: testPseudonyms });

    await expect(erase({ idOrEmail: "ld_unknown", requestedBy: "local" })).rejects.toBeInstanceOf(LeadNotFoundError);
    await expect(erase({ idOrEmail: "never@example.com", requestedBy: "local" })).resolves.toMatchObject({
      deleted: {},
    });
  });
});

describe("the consent gate", () => {
  it("recognizes consent in answers, attributes or properties", () => {
    expect(givesConsent(leadEvent({ answers: { consent: "Yes" } }))).toBe(true);
    expect(givesConsent(leadEvent({ attributes: { consent: true } }))).toBe(true);
    expect(givesConsent(leadEvent({ properties: { consent: "granted" } }))).toBe(true);
    expect(givesConsent(leadEvent({ answers: { consent: "no" } }))).toBe(false);
    expect(givesConsent(leadEvent())).toBe(false);
  });

  it("refuses an erased person without consent, and says nothing personal in the refusal", async () => {
    const gate = consentGate({ tombstoneOf: async (leadId) => ({ leadId, erasedOn: "2026-11-01" }) });
    const open = consentGate({ tombstoneOf: async () => undefined });
    const event = leadEvent({ email: "gone@example.com" });

    const refusal = gate.assertMayCreate(leadIdOf(event.email), event);

    await expect(refusal).rejects.toBeInstanceOf(ConsentRequiredError);
    await expect(refusal).rejects.not.toThrow(/gone@example/);
    await expect(gate.assertMayCreate("x", leadEvent({ answers: { consent: true } }))).resolves.toBeUndefined();
    await expect(open.assertMayCreate("x", event)).resolves.toBeUndefined();
  });
});
