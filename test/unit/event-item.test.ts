import { describe, expect, it } from "vitest";
import { eventItem, toEvent } from "#shared/adapters/dynamodb/entities/event";
import { foldLead } from "#shared/domain/lead-fold";
import { createEngine } from "#shared/domain/model/engine";
import { loadModel } from "#shared/runtime/scoring-model";
import { leadIdOf } from "../support/pseudonyms";
import { DEFAULT_MODEL_PATH, stored } from "./model/journeys";

const LEAD_ID = leadIdOf("ada@acme.example");
const NOW = new Date("2026-03-01T00:00:00.000Z");

/** An event as a Query gives it back: written, sent as JSON, parsed, decoded. */
function readBack(event: ReturnType<typeof stored>) {
  return toEvent(JSON.parse(JSON.stringify(eventItem(LEAD_ID, event, event.eventId))));
}

describe("an event read back from its item", () => {
  const view = stored({ type: "page.viewed", at: "2026-02-01T10:00:00.000Z", properties: { path: "/pricing" } });
  const form = stored({
    type: "form.submitted",
    at: "2026-02-02T10:00:00.000Z",
    name: "Ada Lovelace",
    attributes: { jobTitle: "VP Sales", companySize: 300 },
    answers: { budget: "20k" },
    properties: { formTitle: "Contact sales" },
  });
  const webinar = stored({ type: "webinar.attended", at: "2026-02-03T10:00:00.000Z" });

  it("is the event that was written", () => {
    for (const event of [view, form, webinar]) expect(readBack(event)).toEqual(event);
  });

  it("shares one frozen empty record for every empty part, and keeps every part with something in it", () => {
    const [readView, readForm, readWebinar] = [view, form, webinar].map(readBack);
    expect(readView?.answers).toBe(readWebinar?.answers);
    expect(readView?.attributes).toBe(readWebinar?.properties);
    expect(Object.isFrozen(readView?.answers)).toBe(true);
    expect(() => {
      (readView?.answers as Record<string, string>).budget = "1M";
    }).toThrow(TypeError);
    expect(readForm?.attributes).toEqual({ jobTitle: "VP Sales", companySize: 300 });
    expect(readForm?.answers).toEqual({ budget: "20k" });
    expect(readView?.properties).toEqual({ path: "/pricing" });
    expect(Object.isFrozen(readForm?.attributes)).toBe(false);
  });

  it("comes in one order of fields whatever the item's, keeps a field it doesn't know and none of the item's own", () => {
    const item = eventItem(LEAD_ID, form, form.eventId, 7);
    // The same attributes in another order, and one written by an older or newer version of Ripen.
    const shuffled = Object.fromEntries(Object.entries({ ...item, utmContent: { S: "banner" } }).reverse());
    const read = toEvent(JSON.parse(JSON.stringify(shuffled)));

    expect(Object.keys(read)).toEqual([
      "occurredAt",
      "eventId",
      "type",
      "source",
      "attributes",
      "answers",
      "properties",
      "email",
      "sourceEventId",
      "receivedAt",
      "name",
      "utmContent",
    ]);
    expect(read).toEqual({ ...form, utmContent: "banner" });
    expect(Object.keys(readBack(view))).toEqual(Object.keys(readBack(webinar)));
  });

  it("replays to the same lead as the events that were written", () => {
    const engine = createEngine(loadModel(DEFAULT_MODEL_PATH));
    const history = [form, webinar, view];
    const written = foldLead({ engine, leadId: LEAD_ID, current: undefined, history, now: NOW });
    const read = foldLead({ engine, leadId: LEAD_ID, current: undefined, history: history.map(readBack), now: NOW });
    expect(read?.lead).toEqual(written?.lead);
    expect(read?.evaluation.hits).toEqual(written?.evaluation.hits);
    expect(read?.transition).toEqual(written?.transition);
  });
});
