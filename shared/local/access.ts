import { randomBytes, timingSafeEqual } from "node:crypto";
import * as z from "zod";
import { hmacSha256 } from "#shared/adapters/sources/signing";
import {
  AdminTokenNotConfiguredError,
  AdminTokenRequiredError,
  type EdgeError,
  HostNotAllowedError,
  InvalidAdminTokenError,
  OriginNotAllowedError,
} from "#shared/edge/errors";
import { ROUTES, type Route, routeKey } from "#shared/runtime/routes";

/** The variables that decide who may reach the local server, read once by `npm start`. */
export const accessEnvShape = {
  /** The base URL a tunnel gives senders and Slack; its host may reach the public routes. */
  RIPEN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** What the read and erase routes ask for (`Authorization: Bearer <token>`, or Basic with it as password). */
  RIPEN_ADMIN_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,256}$/, "must be 16 to 256 printable ASCII characters, without spaces")
    .optional(),
};

export interface AccessSettings {
  /** RIPEN_PUBLIC_URL: when set, the read and erase routes need the admin token. */
  publicUrl?: string;
  /** RIPEN_ADMIN_TOKEN: when set, the read and erase routes need it, public URL or not. */
  adminToken?: string;
}

/** The parts of a request the access rules read, as Node parsed its headers. */
export interface AccessRequest {
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  authorization: string | undefined;
  /** The port the server listens on: its own origin is `http://<local name>:<port>`. */
  serverPort: number;
}

/** The names this machine answers to; anything else in Host is another site's name (DNS rebinding). */
const LOCAL_NAMES = ["127.0.0.1", "localhost", "[::1]"] as const;
const LOCAL_LIST = LOCAL_NAMES.join(", ");

export interface LocalAccess {
  /**
   * Why this request must not reach its route, or undefined to let it through. `route` is undefined
   * for a path no route has. Guarantees: a Host that is neither local nor the public URL's is refused for
   * every path; the public URL's host reaches the public routes only; the read and erase (iam) routes
   * refuse other origins' browser requests, and need the admin token when one is configured or when the
   * server is public. The token is compared in constant time and never appears in a refusal.
   */
  refusal(request: AccessRequest, route: Route | undefined): EdgeError | undefined;
  /** What is protected and how, one line each, for the startup banner. */
  summary(): string[];
}

export function localAccess(settings: AccessSettings = {}): LocalAccess {
  const publicUrl = settings.publicUrl === undefined ? undefined : new URL(settings.publicUrl);
  const publicHost = publicUrl && {
    name: publicUrl.hostname.toLowerCase(),
    port: Number(publicUrl.port || (publicUrl.protocol === "https:" ? 443 : 80)),
  };
  const token = settings.adminToken === undefined ? undefined : adminTokenCheck(settings.adminToken);

  function hostRefusal(value: string | undefined, route: Route | undefined): EdgeError | undefined {
    const host = value === undefined ? undefined : parseHost(value);
    if (host && (LOCAL_NAMES as readonly string[]).includes(host.name)) return undefined;
    const isPublic = host && publicHost?.name === host.name && (host.port ?? publicHost.port) === publicHost.port;
    if (isPublic) {
      // A path no route has answers 404 there: nothing stands behind it.
      if (route?.auth !== "iam") return undefined;
      return new HostNotAllowedError(`${routeKey(route)} answers only on this machine (Host ${LOCAL_LIST})`);
    }
    return new HostNotAllowedError(
      `this server answers only to Host ${LOCAL_LIST}${publicUrl ? " and its public URL" : ""}`,
    );
  }

  function adminRefusal(request: AccessRequest): EdgeError | undefined {
    const ownOrigin = (origin: string) =>
      LOCAL_NAMES.some((name) => origin.toLowerCase() === `http://${name}:${request.serverPort}`);
    if (request.origin !== undefined && !ownOrigin(request.origin)) {
      return new OriginNotAllowedError("a page from another origin may not read or erase leads");
    }
    if (request.secFetchSite !== undefined && !["same-origin", "none"].includes(request.secFetchSite)) {
      return new OriginNotAllowedError("a page from another site may not read or erase leads");
    }
    if (token) return token(request.authorization);
    if (publicUrl) {
      return new AdminTokenNotConfiguredError(
        "the read and erase routes are closed while RIPEN_PUBLIC_URL is set: set RIPEN_ADMIN_TOKEN to open them",
      );
    }
    return undefined;
  }

  return {
    refusal: (request, route) =>
      hostRefusal(request.host, route) ?? (route?.auth === "iam" ? adminRefusal(request) : undefined),
    summary: () => {
      const publicRoutes = ROUTES.filter((route) => route.auth === "public").map(routeKey);
      const admin = token
        ? "need RIPEN_ADMIN_TOKEN (Authorization: Bearer <token>)"
        : publicUrl
          ? "are closed (RIPEN_PUBLIC_URL is set and RIPEN_ADMIN_TOKEN is not)"
          : "are open to this machine";
      return [
        `hosts:        ${LOCAL_LIST}${publicUrl ? `; ${publicUrl.host} for ${publicRoutes.join(", ")} only` : ""}`,
        `admin:        the read and erase routes ${admin}; pages from other sites are refused`,
      ];
    },
  };
}

/** `name[:port]` of a Host header, the name lower-cased; undefined when the value is not one. */
function parseHost(value: string): { name: string; port?: number } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(value);
  const name = match?.[1];
  if (!name) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65_535) return undefined;
  return { name: name.toLowerCase(), ...(port !== undefined && { port }) };
}

/**
 * Checks an Authorization header against the admin token: `Bearer <token>`, or `Basic` with the token as
 * the password (what a browser sends after the challenge). Both sides are HMACed with a key of this
 * process before a constant-time comparison, so neither the token's length nor its bytes leak in timing.
 */
function adminTokenCheck(adminToken: string): (authorization: string | undefined) => EdgeError | undefined {
  const key = randomBytes(32).toString("hex");
  const expected = hmacSha256(key, adminToken);
  return (authorization) => {
    const presented = presentedToken(authorization ?? "");
    if (presented === undefined) {
      return new AdminTokenRequiredError("send the admin token: Authorization: Bearer <RIPEN_ADMIN_TOKEN>");
    }
    if (!timingSafeEqual(hmacSha256(key, presented), expected)) {
      return new InvalidAdminTokenError("the admin token does not match RIPEN_ADMIN_TOKEN");
    }
    return undefined;
  };
}

function presentedToken(authorization: string): string | undefined {
  const [scheme = "", credentials = "", ...rest] = authorization.trim().split(/ +/);
  if (credentials === "" || rest.length > 0) return undefined;
  if (scheme.toLowerCase() === "bearer") return credentials;
  if (scheme.toLowerCase() !== "basic") return undefined;
  const decoded = Buffer.from(credentials, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  // Any user name: the password is what identifies the admin.
  return colon === -1 ? "" : decoded.slice(colon + 1);
}
