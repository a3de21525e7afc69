import { randomBytes } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as z from "zod/mini";
import type { LinkAction, LinkActionRequest } from "#shared/application/act-through-link";
import type { RepActionOutcome } from "#shared/application/apply-rep-action";
import type { AlertLog } from "#shared/application/ports/alert-ledger";
import type { LeadView } from "#shared/application/read-lead";
import { InvalidPayloadError, InvalidTransitionError, LeadNotFoundError } from "#shared/domain/errors";
import { LeadId, type Owner } from "#shared/domain/lead";
import {
  FUNNEL_SUBJECT,
  InvalidLinkError,
  LINK_SCOPES,
  type LinkClaims,
  type LinkScope,
  MAX_TOKEN_LENGTH,
  pageNonce,
  verifyLink,
  verifyPageNonce,
} from "#shared/domain/links";
import { offeredActions } from "#shared/domain/rep-actions";
import { htmlPageResponse } from "./html-page";
import { DONE_VERBS, type DoneVerb, PAGE_ACTIONS } from "./lead-page";
import { actionRefusedResponse, leadPageResponse, linkRefusedResponse, noLongerAvailableResponse } from "./link-pages";
import type { LinkKeySource } from "./links";

type Response = APIGatewayProxyStructuredResultV2;
type Clock = () => Date;

/** The largest form a lead page sends (a reason of 500 characters, percent-encoded, fits well). */
export const MAX_FORM_BYTES = 8 * 1024;
const LEAD_SCOPES: readonly LinkScope[] = ["lead", "lead:view"];

const PagePath = z.object({ id: z.string(), token: z.string().check(z.maxLength(MAX_TOKEN_LENGTH)) });
/** The lead page's query: the timeline's page, and the action just done (after its redirect). */
export const LeadPageQuery = z.object({
  page: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000))),
  done: z.optional(z.enum(DONE_VERBS)),
});

/** The claims of the link in a request's path for `subject`, or the response that refuses it. */
async function verified(
  key: LinkKeySource,
  now: Date,
  token: string,
  subject: string,
  scopes: readonly LinkScope[],
): Promise<LinkClaims | Response> {
  try {
    return verifyLink(await key(), token, { subject, scopes, now });
  } catch (error) {
    if (error instanceof InvalidLinkError) return linkRefusedResponse(error);
    throw error;
  }
}
const isResponse = <Value extends object>(value: Value | Response): value is Response => "statusCode" in value;

/** The lead a request's path names and the claims of its token, or the response that refuses them. */
async function leadLink(
  key: LinkKeySource,
  now: Date,
  event: APIGatewayProxyEventV2,
  scopes: readonly LinkScope[],
): Promise<{ leadId: string; token: string; claims: LinkClaims } | Response> {
  const path = PagePath.safeParse(event.pathParameters ?? {});
  if (!path.success) return linkRefusedResponse(new InvalidLinkError("malformed", "this link is not one Ripen made"));
  const { id: leadId, token } = path.data;
  const claims = await verified(key, now, token, leadId, scopes);
  if (isResponse(claims)) return claims;
  // The MAC covers the id, so a verified id is one Ripen made; checked again before it reaches the store.
  if (!LeadId.safeParse(leadId).success) return noLongerAvailableResponse();
  return { leadId, token, claims };
}

export interface LeadLinkPageDeps {
  key: LinkKeySource;
  clock: Clock;
  readLead: (leadId: string) => Promise<LeadView>;
  owners: readonly Owner[];
}

/**
 * GET /links/leads/{id}/{token}: the lead's page, if the token opens that lead. Reads only (a mail
 * scanner may fetch it): the form's nonce is made here and checked by the POST. 401 for a link that
 * opens nothing, the same neutral 404 for an erased lead as for one that never was.
 */
export const leadLinkPage =
  (deps: LeadLinkPageDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<Response> => {
    const now = deps.clock();
    const link = await leadLink(deps.key, now, event, LEAD_SCOPES);
    if (isResponse(link)) return link;
    const { leadId, token, claims } = link;
    const query = LeadPageQuery.safeParse(event.queryStringParameters ?? {});
    if (!query.success) return actionRefusedResponse(400, "page must be a whole number from 1 to 1000");
    let view: LeadView;
    try {
      view = await deps.readLead(leadId);
    } catch (error) {
      if (error instanceof LeadNotFoundError) return noLongerAvailableResponse();
      throw error;
    }
    const allowed = LINK_SCOPES[claims.scope].act ? new Set<string>(offeredActions(view.lead)) : new Set<string>();
    const rep = claims.rep ? (deps.owners.find((owner) => owner.id === claims.rep) ?? repNamed(claims.rep)) : undefined;
    return leadPageResponse({
      view,
      now,
      page: query.data.page ?? 1,
      actions: PAGE_ACTIONS.filter((action) => allowed.has(action)),
      formNonce: pageNonce(await deps.key(), token, now, randomBytes(18).toString("base64url")),
      rep,
      owners: deps.owners,
      done: query.data.done,
    });
  };

const repNamed = (id: string): Owner => ({ id, name: id, email: "" });

export interface FunnelLinkPageDeps<View> {
  key: LinkKeySource;
  clock: Clock;
  page: (parameters: Record<string, string>) => Promise<View>;
  render: (view: View) => Response;
}

/** GET /links/funnel/{token}: the funnel page for a manager's link; its form keeps the token in the path. */
export const funnelLinkPage =
  <View>(deps: FunnelLinkPageDeps<View>) =>
  async (event: APIGatewayProxyEventV2): Promise<Response> => {
    const token = event.pathParameters?.token ?? "";
    const claims = await verified(deps.key, deps.clock(), token, FUNNEL_SUBJECT, ["funnel"]);
    if (isResponse(claims)) return claims;
    // The page's form sends every field; an empty one means "the default".
    const parameters = Object.fromEntries(
      Object.entries(event.queryStringParameters ?? {}).filter((entry): entry is [string, string] => !!entry[1]),
    );
    return deps.render(await deps.page(parameters));
  };

const ActionForm = z.object({
  nonce: z.string().check(z.maxLength(200)),
  action: z.enum(PAGE_ACTIONS),
  reason: z.optional(z.string().check(z.maxLength(500))),
  owner: z.optional(z.string().check(z.maxLength(128))),
});

export interface LeadLinkActionDeps {
  key: LinkKeySource;
  clock: Clock;
  act: (request: LinkActionRequest) => Promise<RepActionOutcome>;
  log: Pick<AlertLog, "info">;
}

const DONE: Record<LinkAction["type"], DoneVerb> = {
  accept: "accepted",
  qualify: "qualified",
  disqualify: "disqualified",
  recycle: "recycled",
};

/**
 * POST /links/leads/{id}/{token}: an action from the lead's page. Checks the link (its scope must allow
 * actions), then the form's nonce (made by this lead's page for this token, at most 12 hours ago), then
 * applies it through the rep action write path and sends the rep back to the page (303). A second click
 * of the same page's button is a replay: nothing is written twice.
 */
export const leadLinkAction =
  (deps: LeadLinkActionDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<Response> => {
    const now = deps.clock();
    const link = await leadLink(deps.key, now, event, ["lead"]);
    if (isResponse(link)) return link;
    const { leadId, token, claims } = link;
    const form = readForm(event);
    if (typeof form === "string") return actionRefusedResponse(400, form);
    let pageId: string;
    try {
      pageId = verifyPageNonce(await deps.key(), token, form.nonce, now);
    } catch (error) {
      if (error instanceof InvalidLinkError) return actionRefusedResponse(400, `${error.message}.`);
      throw error;
    }
    const action = linkAction(form);
    if (typeof action === "string") return actionRefusedResponse(400, action);
    try {
      const outcome = await deps.act({ leadId, claims, pageId, action });
      deps.log.info(outcome.duplicate ? "rep action replayed" : "rep action applied", {
        action: action.type,
        leadId,
        via: "link",
        transitionId: outcome.transition?.transitionId,
        duplicate: outcome.duplicate,
      });
    } catch (error) {
      if (error instanceof LeadNotFoundError) return noLongerAvailableResponse();
      if (error instanceof InvalidTransitionError || error instanceof InvalidPayloadError) {
        deps.log.info("rep action refused", { action: action.type, leadId, via: "link", code: error.code });
        return actionRefusedResponse(error instanceof InvalidTransitionError ? 409 : 400, `${error.message}.`);
      }
      throw error;
    }
    // Back to the page, as a GET: a reload shows the lead, it does not send the form again.
    return { statusCode: 303, headers: seeOther(`${event.rawPath}?done=${DONE[action.type]}`), body: "" };
  };

function seeOther(location: string): Record<string, string> {
  const { headers } = htmlPageResponse(() => "");
  return { ...(headers as Record<string, string>), location };
}

/** The form's fields, or why it is refused. */
function readForm(event: APIGatewayProxyEventV2): z.output<typeof ActionForm> | string {
  const type = (event.headers?.["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return "the page sends a form; nothing else is taken here";
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8") : Buffer.alloc(0);
  if (body.length > MAX_FORM_BYTES) return `the form is larger than ${MAX_FORM_BYTES} bytes`;
  const fields = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
  const parsed = ActionForm.safeParse(fields);
  return parsed.success ? parsed.data : "the form is not one this page sends; reload the page and try again";
}

function linkAction(form: z.output<typeof ActionForm>): LinkAction | string {
  switch (form.action) {
    case "accept":
      return { type: "accept", ...(form.owner && { owner: form.owner }) };
    case "qualify":
      return { type: "qualify" };
    default: {
      const reason = form.reason?.trim();
      return reason ? { type: form.action, reason } : `a reason is required to ${form.action} a lead`;
    }
  }
}
