import { describe, expect, it } from "vitest";
import { ACTION_IDS, encodeActionValue, RECYCLE_REASON } from "#shared/adapters/slack/blocks";
import { parseInteraction, repCommand, UnknownActionError } from "#shared/adapters/slack/interaction-payload";
import { InvalidPayloadError, UnsupportedMediaTypeError } from "#shared/domain/errors";

const FORM = "application/x-www-form-urlencoded";
const LEAD_ID = "ld_0123456789abcdef01234567";
const TRANSITION_ID = "tr_89abcdef0123456789abcdef";
const value = encodeActionValue({ leadId: LEAD_ID, transitionId: TRANSITION_ID });

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

/** Ids a button's value may carry that no alert Ripen sent could hold. */
const IDS_OF_ANOTHER_SHAPE: readonly (readonly [string, Record<string, string>])[] = [
  ["a lead id of another shape", { l: "ld_1" }],
  ["a lead id over 24 hex digits", { l: `${LEAD_ID}0` }],
  ["a lead id in upper case", { l: LEAD_ID.toUpperCase() }],
  ["a transition id of another shape", { l: LEAD_ID, t: "tr_alert" }],
  ["a 1,500-character transition id", { l: LEAD_ID, t: `tr_${"0".repeat(1497)}` }],
];

describe("Slack interaction payloads", () => {
  it("reads Accept with its lead and transition", () => {
    // Prepare
    const raw = form(payload({ action_id: ACTION_IDS.accept, type: "button", value }));

    // Act
    const parsed = parseInteraction(`${FORM}; charset=utf-8`, raw);

    // Assess
    expect(parsed.user.id).toBe("U0GRACE");
    expect(repCommand(parsed)).toEqual({ kind: "accept", leadId: LEAD_ID, transitionId: TRANSITION_ID });
  });

  it("reads Disqualify with the reason picked, as its label", () => {
    // Prepare
    const option = encodeActionValue({ leadId: LEAD_ID, transitionId: TRANSITION_ID, reason: "competitor" });
    const raw = form(
      payload({ action_id: ACTION_IDS.disqualify, type: "static_select", selected_option: { value: option } }),
    );

    // Act
    const command = repCommand(parseInteraction(FORM, raw));

    // Assess
    expect(command).toEqual({ kind: "disqualify", leadId: LEAD_ID, transitionId: TRANSITION_ID, reason: "Competitor" });
  });

  it("reads Recycle with its fixed reason, and the link button as nothing to do", () => {
    const recycle = parseInteraction(FORM, form(payload({ action_id: ACTION_IDS.recycle, type: "button", value })));
    const open = parseInteraction(FORM, form(payload({ action_id: ACTION_IDS.open, type: "button" })));

    expect(repCommand(recycle)).toEqual({
      kind: "recycle",
      leadId: LEAD_ID,
      transitionId: TRANSITION_ID,
      reason: RECYCLE_REASON,
    });
    expect(repCommand(open)).toEqual({ kind: "open" });
  });

  it("reads Qualify with the lead and transition it names", () => {
    const qualify = parseInteraction(FORM, form(payload({ action_id: ACTION_IDS.qualify, type: "button", value })));

    expect(repCommand(qualify)).toEqual({ kind: "qualify", leadId: LEAD_ID, transitionId: TRANSITION_ID });
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
    [
      "a user id longer than any Slack id",
      form(payload({ action_id: ACTION_IDS.accept, type: "button", value }, { user: { id: `U${"A".repeat(64)}` } })),
    ],
    [
      "an action_ts longer than any Slack id",
      form(payload({ action_id: ACTION_IDS.accept, type: "button", value, action_ts: `1.${"0".repeat(64)}` })),
    ],
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
        selected_option: { value: JSON.stringify({ l: LEAD_ID, r: "bored" }) },
      },
    ],
    ...IDS_OF_ANOTHER_SHAPE.map(([what, ids]): [string, Record<string, unknown>] => [
      what,
      { action_id: ACTION_IDS.accept, type: "button", value: JSON.stringify(ids) },
    ]),
  ])("refuses %s", (_, action) => {
    const parsed = parseInteraction(FORM, form(payload(action)));

    expect(() => repCommand(parsed)).toThrow(InvalidPayloadError);
  });

  it("refuses a JSON body: Slack posts forms", () => {
    expect(() => parseInteraction("application/json", Buffer.from("{}"))).toThrow(UnsupportedMediaTypeError);
  });
});
