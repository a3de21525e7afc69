import { describe, expect, it } from "vitest";
import { ACTION_IDS, encodeActionValue, RECYCLE_REASON } from "../../../shared/adapters/slack/blocks";
import { parseInteraction, repCommand, UnknownActionError } from "../../../shared/adapters/slack/interaction-payload";
import { InvalidPayloadError, UnsupportedMediaTypeError } from "../../../shared/domain/errors";

const FORM = "application/x-www-form-urlencoded";
const value = encodeActionValue({ leadId: "ld_1", transitionId: "tr_1" });

function payload(action: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    type: "block_actions",
    user: { id: "U0GRACE", username: "grace", name: "Grace Hopper", team_id: "T1" },
    trigger_id: "123.456.abc",
    response_url: "https://hooks.slack.com/actions/T1/1/abc",
    message: { ts: "1700000000.000100", text: "alert", blocks: [] },
    actions: [{ block_id: "ripen.actions", action_ts: "1700000001.000200", ...action }],
    ...overrides,
  };
}
const form = (body: unknown) => Buffer.from(`payload=${encodeURIComponent(JSON.stringify(body))}`);

describe("Slack interaction payloads", () => {
  it("reads Accept with its lead and transition", () => {
    // Prepare
    const raw = form(payload({ action_id: ACTION_IDS.accept, type: "button", value }));

    // Act
    const parsed = parseInteraction(`${FORM}; charset=utf-8`, raw);

    // Assess
    expect(parsed.user.id).toBe("U0GRACE");
    expect(repCommand(parsed)).toEqual({ kind: "accept", leadId: "ld_1", transitionId: "tr_1" });
  });

  it("reads Disqualify with the reason picked, as its label", () => {
    // Prepare
    const option = encodeActionValue({ leadId: "ld_1", transitionId: "tr_1", reason: "competitor" });
    const raw = form(
      payload({ action_id: ACTION_IDS.disqualify, type: "static_select", selected_option: { value: option } }),
    );

    // Act
    const command = repCommand(parseInteraction(FORM, raw));

    // Assess
    expect(command).toEqual({ kind: "disqualify", leadId: "ld_1", transitionId: "tr_1", reason: "Competitor" });
  });

  it("reads Recycle with its fixed reason, and the link button as nothing to do", () => {
    const recycle = parseInteraction(FORM, form(payload({ action_id: ACTION_IDS.recycle, type: "button", value })));
    const open = parseInteraction(FORM, form(payload({ action_id: ACTION_IDS.open, type: "button" })));

    expect(repCommand(recycle)).toEqual({
      kind: "recycle",
      leadId: "ld_1",
      transitionId: "tr_1",
      reason: RECYCLE_REASON,
    });
    expect(repCommand(open)).toEqual({ kind: "open" });
  });

  it("refuses an action Ripen never offered", () => {
    const parsed = parseInteraction(FORM, form(payload({ action_id: "approve_expense", type: "button", value })));

    expect(() => repCommand(parsed)).toThrow(UnknownActionError);
    expect(() => repCommand(parsed)).toThrow('unknown action "approve_expense"');
  });

  it("refuses interactions other than block_actions", () => {
    const raw = form({ type: "view_submission", user: { id: "U1" } });

    expect(() => parseInteraction(FORM, raw)).toThrow(UnknownActionError);
  });

  it.each([
    ["no payload field", Buffer.from("token=abc")],
    ["a payload that is not JSON", Buffer.from("payload=%7Bnot-json")],
    [
      "a user id that is not Slack's",
      form(payload({ action_id: ACTION_IDS.accept, type: "button", value }, { user: { id: "x" } })),
    ],
    ["no actions", form(payload({}, { actions: [] }))],
  ])("refuses %s as an invalid payload", (_, raw) => {
    expect(() => parseInteraction(FORM, raw)).toThrow(InvalidPayloadError);
  });

  it.each([
    ["a value that is not Ripen's", { action_id: ACTION_IDS.accept, type: "button", value: "yes" }],
    [
      "an unknown disqualification reason",
      {
        action_id: ACTION_IDS.disqualify,
        type: "static_select",
        selected_option: { value: JSON.stringify({ l: "ld_1", r: "bored" }) },
      },
    ],
  ])("refuses %s", (_, action) => {
    const parsed = parseInteraction(FORM, form(payload(action)));

    expect(() => repCommand(parsed)).toThrow(InvalidPayloadError);
  });

  it("refuses a JSON body: Slack posts forms", () => {
    expect(() => parseInteraction("application/json", Buffer.from("{}"))).toThrow(UnsupportedMediaTypeError);
  });
});
