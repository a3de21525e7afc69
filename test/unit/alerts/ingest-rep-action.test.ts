import { describe, expect, it } from "vitest";
import type { RepActionOutcome, RepActionRequest } from "#shared/application/apply-rep-action";
import { ingestRepAction } from "#shared/application/ingest-rep-action";
import type { RepActionPress, RepActionSource } from "#shared/application/ports/rep-action-source";
import type { WebhookRequest } from "#shared/application/ports/webhook-source";
import { InvalidSignatureError, InvalidTransitionError, SourceNotConfiguredError } from "#shared/domain/errors";
import type { Lead, Owner } from "#shared/domain/lead";
import { recordingLog } from "./fixtures";

const NOW = new Date("2026-11-20T12:00:00.000Z");
const GRACE: Owner = { id: "rep-grace", name: "Grace Hopper", email: "grace@ripen.test" };

/**
 * A channel reps act through, in memory: the body is the press as JSON, signed when the
 * `signature` header equals the secret. It answers to `reply:<lead>`.
 */
function memorySource(): RepActionSource {
  return {
    secretName: "TEST_SIGNING_SECRET",
    verify(request, secret) {
      if (request.headers.signature !== secret) throw new InvalidSignatureError("bad signature");
    },
    press(request) {
      const text = request.rawBody.toString("utf8");
      return text === "" ? undefined : (JSON.parse(text) as RepActionPress);
    },
    applied: (press, done) => ({ to: `reply:${press.leadId}`, message: { done: done.verb, reason: done.reason } }),
    refused: (press, reason) => ({ to: `reply:${press.leadId}`, message: { refused: reason } }),
  };
}

function request(press: RepActionPress | undefined, signature = "s3cret"): WebhookRequest {
  return {
    method: "POST",
    path: "/test/interactions",
    rawQueryString: "",
    headers: { signature },
    rawBody: Buffer.from(press ? JSON.stringify(press) : ""),
  };
}

const press = (overrides: Partial<RepActionPress> = {}): RepActionPress => ({
  leadId: "ld_ada",
  action: { type: "accept" },
  rep: { id: "U0GRACE", owner: { id: "slack:U0GRACE", name: "grace", email: "" } },
  idempotencyKey: "press-1",
  ...overrides,
});

/** The use case over the memory source, with an apply that records its requests and answers `answer`. */
function setup(answer: (request: RepActionRequest) => RepActionOutcome, secret: string | null = "s3cret") {
  const applied: RepActionRequest[] = [];
  const replies: { to: string; message: object }[] = [];
  const { log, lines } = recordingLog();
  const ingest = ingestRepAction({
    source: memorySource(),
    secrets: { get: async (name) => (name === "TEST_SIGNING_SECRET" ? (secret ?? undefined) : undefined) },
    clock: () => NOW,
    apply: async (request) => {
      applied.push(request);
      return answer(request);
    },
    respond: async (to, message) => void replies.push({ to, message }),
    log,
    knownOwner: (found) => (found.rep.id === "U0GRACE" ? GRACE : undefined),
  });
  return { ingest, applied, replies, lines };
}

const outcome = (duplicate = false): RepActionOutcome => ({
  lead: { leadId: "ld_ada" } as Lead,
  duplicate,
  appliedAt: NOW.toISOString(),
});

describe("ingestRepAction", () => {
  it("applies an accept for the owner the routing team knows, and answers who did what", async () => {
    // Prepare
    const { ingest, applied, replies } = setup(() => outcome());

    // Act
    await ingest(request(press()));

    // Assess
    expect(applied).toEqual([
      {
        leadId: "ld_ada",
        action: { type: "accept", owner: GRACE },
        actor: { type: "rep", id: "U0GRACE" },
        idempotencyKey: "press-1",
      },
    ]);
    expect(replies).toEqual([{ to: "reply:ld_ada", message: { done: "accepted" } }]);
  });

  it("lets a rep the team does not know take the lead as the channel names them", async () => {
    // Prepare
    const { ingest, applied } = setup(() => outcome());
    const stranger = press({ rep: { id: "U0NEW", owner: { id: "slack:U0NEW", name: "new", email: "" } } });

    // Act
    await ingest(request(stranger));

    // Assess
    expect(applied[0]?.action).toEqual({ type: "accept", owner: { id: "slack:U0NEW", name: "new", email: "" } });
  });

  it("applies nothing and answers nothing when the signature fails, or when the press asks nothing", async () => {
    // Prepare
    const { ingest, applied, replies } = setup(() => outcome());

    // Act
    const forged = ingest(request(press(), "guess"));
    await ingest(request(undefined));

    // Assess
    await expect(forged).rejects.toThrow(InvalidSignatureError);
    expect(applied).toEqual([]);
    expect(replies).toEqual([]);
  });

  it("refuses when the channel's secret is not configured", async () => {
    const { ingest, applied } = setup(() => outcome(), null);
    await expect(ingest(request(press()))).rejects.toThrow(SourceNotConfiguredError);
    expect(applied).toEqual([]);
  });

  it("tells only the rep why a move the lifecycle forbids did nothing, and keeps the lead's words out of the log", async () => {
    // Prepare
    const { ingest, replies, lines } = setup(() => {
      throw new InvalidTransitionError("Ada Lovelace is disqualified: accept it from disqualified is not allowed");
    });

    // Act
    await ingest(request(press({ action: { type: "recycle", reason: "not now" } })));

    // Assess
    expect(replies).toEqual([
      {
        to: "reply:ld_ada",
        message: { refused: "Ada Lovelace is disqualified: accept it from disqualified is not allowed" },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain("Ada");
  });

  it("keeps an applied action when the answer cannot be sent, and logs that it could not answer", async () => {
    // Prepare
    const applied: RepActionRequest[] = [];
    const { log, lines } = recordingLog();
    const ingest = ingestRepAction({
      source: memorySource(),
      secrets: { get: async () => "s3cret" },
      clock: () => NOW,
      apply: async (request) => {
        applied.push(request);
        return outcome();
      },
      respond: async () => {
        throw new Error("response_url expired");
      },
      log,
    });

    // Act
    const handled = ingest(request(press({ action: { type: "disqualify", reason: "no budget" } })));

    // Assess
    await expect(handled).resolves.toBeUndefined();
    expect(applied.map((request) => request.action)).toEqual([{ type: "disqualify", reason: "no budget" }]);
    expect(lines.map((line) => `${line.level}: ${line.message}`)).toEqual([
      "info: rep action applied",
      "warn: could not answer the rep through the channel",
    ]);
  });
});
