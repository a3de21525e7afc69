import * as z from "zod/mini";
import {
  InvalidPayloadError,
  SourceNotConfiguredError,
  UnknownSourceError,
  UnsupportedMediaTypeError,
} from "#shared/domain/errors";
import {
  DEFAULT_FUTURE_TOLERANCE_SECONDS,
  LeadEvent,
  type LeadEventInput,
  type SourceName,
} from "#shared/domain/lead-event";
import type { Stage } from "#shared/domain/stages";
import { issueDetail, issueDetails } from "#shared/edge/schema-issues";
import type { Clock } from "./ports/lead-store";
import type { SecretProvider, WebhookRequest, WebhookSources } from "./ports/webhook-source";
import type { RecordedEvent } from "./record-event";

export interface IngestWebhookDeps {
  sources: WebhookSources;
  secrets: SecretProvider;
  record: (event: LeadEvent) => Promise<RecordedEvent>;
  clock: Clock;
  toleranceSeconds: number;
  /** An occurredAt further ahead of the clock than this is refused (RIPEN_FUTURE_TOLERANCE_SECONDS). */
  futureToleranceSeconds?: number;
  publicUrl?: string;
  /** Sources configured to accept unsigned deliveries (only those whose adapter allows it). */
  unsigned: ReadonlySet<string>;
}

export interface WebhookOutcome {
  statusCode: number;
  body: unknown;
  /** Set when a refused payload was acknowledged with a 200 (see PayloadRefusal): its code, to count. */
  refused?: string;
}

/** One recorded event as the sender sees it; an erased person's redelivery says so and nothing more. */
export type RecordedSummary =
  | {
      leadId: string;
      stage: Stage;
      score: number;
      duplicate: boolean;
      /** The SDR gate (stages.sqlReview) holds the lead for a rep's Qualify; absent otherwise. */
      sqlReady?: true;
    }
  | { leadId: string; duplicate: true; erased: true };

/**
 * POST /webhooks/{source}: a name no source could have (too long, or not letters, digits, - and _) is a
 * 400; a well-formed name Ripen does not know stays a 404 unknown_source.
 */
export const WebhookPath = z.strictObject({
  source: z.string().check(z.maxLength(32), z.regex(/^[A-Za-z0-9_-]+$/, "must be a source name like typeform")),
});

export const secretName = (source: SourceName | string) => `RIPEN_SECRET_${source.toUpperCase()}`;

/**
 * Receives one webhook delivery.
 * Input: the source name from the path and the request as received (raw bytes).
 * Output: 200 {leadId, stage, score, duplicate} (and sqlReady: true while the SDR gate holds the lead; with `events` when a delivery carries several; a
 * redelivery of an event whose person was erased since is {leadId, duplicate: true, erased: true}), or the
 * source's immediate reply (a challenge, an ignored event), or, for a refused payload from a source that
 * acknowledges refusals, 200 {stored: false, refused: {code, message, details}}.
 * Main course: find the source, check the media type (JSON, in UTF-8), verify the signature over the raw
 * bytes, map the vendor payload to canonical events, validate them (occurredAt at most
 * futureToleranceSeconds ahead of the clock), record each.
 * Guarantees: nothing is parsed or stored before the signature verifies; a bad payload stores
 * nothing (every event is validated before the first is recorded); redeliveries are duplicates.
 */
export const ingestWebhook =
  (deps: IngestWebhookDeps) =>
  async (sourceName: string, request: WebhookRequest): Promise<WebhookOutcome> => {
    const entry = Object.hasOwn(deps.sources, sourceName) ? deps.sources[sourceName] : undefined;
    const source = typeof entry === "function" ? await entry() : entry;
    if (!source) throw new UnknownSourceError(`unknown source "${sourceName}"`);
    requireJson(request.headers["content-type"]);

    const context = {
      secret: "",
      now: deps.clock(),
      toleranceSeconds: deps.toleranceSeconds,
      ...(deps.publicUrl !== undefined && { publicUrl: deps.publicUrl }),
    };
    // An unsigned delivery passes only where configured; a delivery that carries a signature must verify.
    const unsigned =
      source.unsignedUnless !== undefined &&
      deps.unsigned.has(source.name) &&
      request.headers[source.unsignedUnless] === undefined;
    if (!unsigned) {
      const secret = await deps.secrets.get(secretName(source.name));
      if (!secret) throw new SourceNotConfiguredError(`no secret configured for source "${source.name}"`);
      context.secret = secret;
      source.verify(request, context);
    }

    let events: LeadEvent[];
    try {
      const result = source.toEvents(request, context);
      if (result.kind === "reply") return { statusCode: result.status, body: result.body };
      events = validEvents(result.events, context.now, deps.futureToleranceSeconds ?? DEFAULT_FUTURE_TOLERANCE_SECONDS);
    } catch (error) {
      if (error instanceof InvalidPayloadError && source.refusal === "acknowledge") return acknowledged(error);
      throw error;
    }
    if (events.length === 0) return { statusCode: 200, body: { ignored: true, reason: "no lead event in delivery" } };

    const recorded: RecordedSummary[] = [];
    let deferred = false;
    for (const event of events) {
      let outcome: RecordedEvent;
      try {
        outcome = await deps.record(event);
      } catch (error) {
        // A bound on the lead as a whole (see recordEvent) is a refusal like any other payload's.
        if (error instanceof InvalidPayloadError && source.refusal === "acknowledge") return acknowledged(error);
        throw error;
      }
      if (outcome.erased) {
        recorded.push({ leadId: outcome.leadId, duplicate: true, erased: true });
        continue;
      }
      const { lead, duplicate } = outcome;
      deferred ||= outcome.deferred === true;
      recorded.push({
        leadId: lead.leadId,
        stage: lead.stage,
        score: lead.score,
        duplicate,
        ...(lead.review && { sqlReady: true as const }),
      });
    }
    const last = recorded.at(-1) as RecordedSummary;
    const body = recorded.length === 1 ? last : { ...last, events: recorded };
    // 202: stored, with the score to follow once the stale-lead worker has replayed the lead.
    return deferred ? { statusCode: 202, body: { ...body, deferred: true } } : { statusCode: 200, body };
  };

/** The canonical events, each valid and dated no later than `futureToleranceSeconds` after `now`. */
export function validEvents(
  inputs: readonly LeadEventInput[],
  now: Date,
  futureToleranceSeconds: number = DEFAULT_FUTURE_TOLERANCE_SECONDS,
): LeadEvent[] {
  const latest = now.getTime() + futureToleranceSeconds * 1000;
  return inputs.map((input, index) => {
    const prefix = inputs.length > 1 ? [`events[${index}]`] : [];
    const parsed = LeadEvent.safeParse(input);
    if (parsed.success && Date.parse(parsed.data.occurredAt) <= latest) return parsed.data;
    const issues = parsed.success
      ? [
          issueDetail(
            [...prefix, "occurredAt"],
            "too_big",
            `must not be more than ${futureToleranceSeconds} s after the time it is received`,
          ),
        ]
      : issueDetails(parsed.error.issues, prefix);
    throw new InvalidPayloadError("the delivery does not describe a valid lead event", { issues });
  });
}

/** A refusal answered with a 200, so the sender keeps the webhook: the body says nothing was stored. */
function acknowledged(error: InvalidPayloadError): WebhookOutcome {
  const refused = {
    code: error.code,
    message: error.message,
    ...(error.details !== undefined && { details: error.details }),
  };
  return { statusCode: 200, body: { stored: false, refused }, refused: error.code };
}

/** The names of UTF-8 a charset parameter may use (any case, quoted or not); no sender documents another. */
const UTF8_CHARSETS = new Set(["utf-8", "utf8"]);

/** JSON (or a +json type) in UTF-8: a body declared in another charset would be read wrong, so it is refused. */
function requireJson(contentType: string | undefined): void {
  const [type = "", ...parameters] = (contentType ?? "").split(";");
  const mediaType = type.trim().toLowerCase();
  if (mediaType !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) {
    throw new UnsupportedMediaTypeError(
      `content-type must be application/json${contentType ? `, got "${contentType.slice(0, 100)}"` : ""}`,
    );
  }
  for (const parameter of parameters) {
    const at = parameter.indexOf("=");
    if (at === -1 || parameter.slice(0, at).trim().toLowerCase() !== "charset") continue;
    const charset = parameter
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (!UTF8_CHARSETS.has(charset.toLowerCase())) {
      throw new UnsupportedMediaTypeError(`the body must be UTF-8, declared charset "${charset.slice(0, 40)}"`);
    }
  }
}
