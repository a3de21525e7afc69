import { describe, expect, it } from "vitest";
import { signSlackRequest, verifySlackSignature } from "#shared/adapters/slack/signature";
import { InvalidSignatureError, StaleTimestampError } from "#shared/domain/errors";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const NOW = new Date("2026-11-20T10:00:00.000Z");
const nowSeconds = NOW.getTime() / 1000;
const body = Buffer.from("payload=%7B%22type%22%3A%22block_actions%22%7D");

function request(options: { timestamp?: number; signature?: string; body?: Buffer } = {}) {
  const timestamp = options.timestamp ?? nowSeconds;
  return {
    headers: {
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": options.signature ?? signSlackRequest(SECRET, timestamp, body),
    },
    rawBody: options.body ?? body,
  };
}

describe("Slack request signatures (v0)", () => {
  it("accepts a request signed with the signing secret", () => {
    expect(() => verifySlackSignature(request(), SECRET, NOW)).not.toThrow();
  });

  it("matches Slack's documented example", () => {
    // The example from api.slack.com/authentication/verifying-requests-from-slack.
    const slackBody = Buffer.from(
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
    );
    const example = {
      headers: {
        "x-slack-request-timestamp": "1531420618",
        "x-slack-signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
      },
      rawBody: slackBody,
    };

    expect(() => verifySlackSignature(example, SECRET, new Date(1531420618 * 1000))).not.toThrow();
  });

  it.each([
    ["six minutes old", nowSeconds - 360],
    ["six minutes in the future", nowSeconds + 360],
  ])("refuses a timestamp %s as stale", (_, timestamp) => {
    expect(() => verifySlackSignature(request({ timestamp }), SECRET, NOW)).toThrow(StaleTimestampError);
  });

  it("accepts a request four minutes old", () => {
    expect(() => verifySlackSignature(request({ timestamp: nowSeconds - 240 }), SECRET, NOW)).not.toThrow();
  });

  it.each([
    ["another secret", { signature: signSlackRequest("not-the-secret", nowSeconds, body) }],
    ["a changed body", { body: Buffer.from("payload=%7B%7D") }],
    ["a signature without the v0= prefix", { signature: signSlackRequest(SECRET, nowSeconds, body).slice(3) }],
    ["a v1 signature", { signature: signSlackRequest(SECRET, nowSeconds, body).replace("v0=", "v1=") }],
    ["garbage", { signature: "v0=zz" }],
  ])("refuses %s", (_, options) => {
    expect(() => verifySlackSignature(request(options), SECRET, NOW)).toThrow(InvalidSignatureError);
  });

  it("refuses a request without the signature headers", () => {
    expect(() => verifySlackSignature({ headers: {}, rawBody: body }, SECRET, NOW)).toThrow(
      "missing X-Slack-Request-Timestamp header",
    );
  });
});
