import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServerOptions, type LocalHttpServer, startHttpServer } from "#shared/local/http-server";
import { type FunctionName, ROUTES, type Route, routeKey } from "#shared/runtime/routes";
import { type RawResponse, rawRequest } from "../support/raw-http";

/**
 * Who may reach the local server: a browser page on another site (DNS rebinding, CSRF) or a vendor's
 * tunnel must never read or erase leads. Real HTTP servers on 127.0.0.1; the handlers only record calls.
 */
interface Served {
  server: LocalHttpServer;
  calls: FunctionName[];
  lines: string[];
}

const TOKEN = "local-admin-token-4f9c2a7e51";
const PUBLIC_HOST = "ripen-tunnel.example";
const PUBLIC_URL = `https://${PUBLIC_HOST}`;
const started: LocalHttpServer[] = [];

async function serve(access?: HttpServerOptions["access"]): Promise<Served> {
  const calls: FunctionName[] = [];
  const lines: string[] = [];
  const server = await startHttpServer({
    port: 0,
    region: "eu-west-1",
    log: (line) => lines.push(line),
    handler: async (name) => async () => {
      calls.push(name);
      return { statusCode: 200, headers: { "content-type": "application/json" }, body: "{}" };
    },
    ...(access && { access }),
  });
  started.push(server);
  return { server, calls, lines };
}

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

/** A concrete path for a route's template. */
const pathOf = (route: Route) => route.path.replace("{source}", "generic").replace(/\{\w+\}/, "ld_1");
const PUBLIC_ROUTES = ROUTES.filter((route) => route.auth === "public");
const IAM_ROUTES = ROUTES.filter((route) => route.auth === "iam");

function send(port: number, method: string, path: string, headers: string[]): Promise<RawResponse> {
  const head = [`${method} ${path} HTTP/1.1`, ...headers, "Connection: close", "Content-Length: 0", ""].join("\n");
  return rawRequest(port, head);
}

const errorOf = (response: RawResponse) => JSON.parse(response.body.toString()) as { error: Record<string, unknown> };

/** Status and error code of each response, to compare whole tables at once. */
const outcome = (response: RawResponse) =>
  response.status === 200 ? 200 : `${response.status} ${String(errorOf(response).error.code)}`;

/** What each route answers to the same headers, by route key (one request at a time, in ROUTES order). */
async function answersOn(served: Served, routes: readonly Route[], headers: string[]) {
  const answers: Record<string, unknown> = {};
  for (const route of routes) {
    answers[routeKey(route)] = outcome(await send(served.server.port, route.method, pathOf(route), headers));
  }
  return answers;
}

/** The same answer on every route given. */
const every = (routes: readonly Route[], answer: unknown) =>
  Object.fromEntries(routes.map((route) => [routeKey(route), answer]));

describe("local HTTP API: only local Host names", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve();
  });

  it("refuses a foreign Host on every route, and on unknown paths, before any handler runs", async () => {
    // Act
    const answers = await answersOn(served, ROUTES, ["Host: evil.example"]);
    const unknown = await send(served.server.port, "GET", "/nowhere", [`Host: evil.example:${served.server.port}`]);

    // Assess
    expect(answers).toEqual(every(ROUTES, "421 host_not_allowed"));
    expect(outcome(unknown)).toBe("421 host_not_allowed");
    expect(String(errorOf(unknown).error.message)).toContain("answers only to Host 127.0.0.1, localhost, [::1]");
    expect(served.calls).toEqual([]);
  });

  it("accepts 127.0.0.1, localhost and [::1] with or without a port, and nothing that only looks local", async () => {
    // Prepare
    const port = served.server.port;
    const local = ["127.0.0.1", `127.0.0.1:${port}`, "localhost", `LocalHost:${port}`, "[::1]", `[::1]:${port}`];
    const lookalikes = [
      "localhost.evil.example",
      "127.0.0.1.nip.io",
      `evil.example:${port}`,
      "127.0.0.2",
      "[::2]",
      "localhost:http",
      "localhost:99999",
      "",
    ];

    // Act
    const answers: Record<string, unknown> = {};
    for (const host of [...local, ...lookalikes]) {
      answers[host] = outcome(await send(port, "GET", "/leads/ld_1", [`Host: ${host}`]));
    }
    const withoutHost = await rawRequest(port, "GET /health HTTP/1.0\n");

    // Assess
    expect(answers).toEqual({
      ...Object.fromEntries(local.map((host) => [host, 200])),
      ...Object.fromEntries(lookalikes.map((host) => [host, "421 host_not_allowed"])),
    });
    expect(outcome(withoutHost)).toBe("421 host_not_allowed");
    expect(served.calls).toHaveLength(local.length);
  });
});

describe("local HTTP API: the public URL's host reaches the public routes only", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ publicUrl: PUBLIC_URL, adminToken: TOKEN });
  });

  it("lets senders, Slack and health checks in through the tunnel, never the read and erase routes", async () => {
    // Act: the right token does not open the iam routes to the public host either.
    const answers = await answersOn(served, ROUTES, [`Host: ${PUBLIC_HOST}`, `Authorization: Bearer ${TOKEN}`]);

    // Assess
    expect(answers).toEqual({ ...every(PUBLIC_ROUTES, 200), ...every(IAM_ROUTES, "421 host_not_allowed") });
    expect(served.calls.sort()).toEqual(PUBLIC_ROUTES.map((route) => route.function).sort());
  });

  it("refuses another host name or port than the public URL's", async () => {
    served.calls.length = 0;
    const answers = await Promise.all(
      [`${PUBLIC_HOST}:8443`, `api.${PUBLIC_HOST}`, `${PUBLIC_HOST}.evil.example`].map(async (host) =>
        outcome(await send(served.server.port, "POST", "/webhooks/generic", [`Host: ${host}`])),
      ),
    );
    expect(answers).toEqual(["421 host_not_allowed", "421 host_not_allowed", "421 host_not_allowed"]);
    expect(served.calls).toEqual([]);
  });
});

describe("local HTTP API: the admin token on the read and erase routes", () => {
  let tunnelled: Served;
  let tokenOnly: Served;
  let withoutToken: Served;
  beforeAll(async () => {
    tunnelled = await serve({ publicUrl: PUBLIC_URL, adminToken: TOKEN });
    tokenOnly = await serve({ adminToken: TOKEN });
    withoutToken = await serve({ publicUrl: PUBLIC_URL });
  });

  /** What each kind of credential gets on every iam route of a server, from a local Host. */
  async function credentialsTable(served: Served) {
    const credentials: Record<string, string[]> = {
      none: [],
      "wrong token": [`Authorization: Bearer ${TOKEN.slice(0, -1)}x`],
      "shorter token": [`Authorization: Bearer ${TOKEN.slice(0, 8)}`],
      "token with another scheme": [`Authorization: Token ${TOKEN}`],
      "empty bearer": ["Authorization: Bearer "],
      bearer: [`Authorization: Bearer ${TOKEN}`],
      "bearer, lower case": [`Authorization: bearer ${TOKEN}`],
      "basic, token as password": [`Authorization: Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}`],
      "basic, wrong password": [`Authorization: Basic ${Buffer.from(`${TOKEN}:x`).toString("base64")}`],
    };
    const table: Record<string, Record<string, unknown>> = {};
    for (const [name, headers] of Object.entries(credentials)) {
      table[name] = await answersOn(served, IAM_ROUTES, ["Host: 127.0.0.1", ...headers]);
    }
    return table;
  }
  const everyIamRoute = (answer: unknown) => every(IAM_ROUTES, answer);

  it("with a public URL, asks for the token, refuses a wrong one and accepts it as Bearer or Basic", async () => {
    // Act
    const table = await credentialsTable(tunnelled);
    const challenge = await send(tunnelled.server.port, "GET", "/leads", ["Host: localhost"]);

    // Assess
    expect(table).toEqual({
      none: everyIamRoute("401 admin_token_required"),
      "wrong token": everyIamRoute("401 invalid_admin_token"),
      "shorter token": everyIamRoute("401 invalid_admin_token"),
      "token with another scheme": everyIamRoute("401 admin_token_required"),
      "empty bearer": everyIamRoute("401 admin_token_required"),
      bearer: everyIamRoute(200),
      "bearer, lower case": everyIamRoute(200),
      "basic, token as password": everyIamRoute(200),
      "basic, wrong password": everyIamRoute("401 invalid_admin_token"),
    });
    expect(challenge.headers["www-authenticate"]).toEqual(['Basic realm="Ripen", charset="UTF-8"']);
    expect(challenge.body.toString()).not.toContain(TOKEN);
    expect(tunnelled.calls).toHaveLength(3 * IAM_ROUTES.length);
  });

  it("without a public URL, a configured token is still required on those routes, and only there", async () => {
    // Act
    const table = await credentialsTable(tokenOnly);
    const publicRoutes = await answersOn(tokenOnly, PUBLIC_ROUTES, ["Host: 127.0.0.1"]);

    // Assess
    expect(table.none).toEqual(everyIamRoute("401 admin_token_required"));
    expect(table["wrong token"]).toEqual(everyIamRoute("401 invalid_admin_token"));
    expect(table.bearer).toEqual(everyIamRoute(200));
    expect(publicRoutes).toEqual(every(PUBLIC_ROUTES, 200));
  });

  it("with a public URL and no token configured, keeps the read and erase routes closed", async () => {
    // Act
    const table = await credentialsTable(withoutToken);
    const publicRoutes = await answersOn(withoutToken, PUBLIC_ROUTES, [`Host: ${PUBLIC_HOST}`]);

    // Assess
    for (const answers of Object.values(table))
      expect(answers).toEqual(everyIamRoute("403 admin_token_not_configured"));
    expect(errorOf(await send(withoutToken.server.port, "GET", "/leads", ["Host: 127.0.0.1"])).error.message).toContain(
      "RIPEN_ADMIN_TOKEN",
    );
    expect(publicRoutes).toEqual(every(PUBLIC_ROUTES, 200));
  });
});

describe("local HTTP API: browser requests from other origins", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve();
  });

  it("refuses a foreign Origin or a cross-site fetch on every read and erase route, and accepts its own", async () => {
    // Prepare
    const port = served.server.port;
    const refused: Record<string, string[]> = {
      "another site": ["Origin: http://evil.example"],
      "a rebound name": [`Origin: http://evil.example:${port}`],
      "an opaque origin": ["Origin: null"],
      "another local port": ["Origin: http://localhost:5173"],
      "https on the same host": [`Origin: https://127.0.0.1:${port}`],
      "a cross-site fetch": ["Sec-Fetch-Site: cross-site"],
      "a same-site fetch": ["Sec-Fetch-Site: same-site"],
    };
    const accepted: Record<string, string[]> = {
      "no Origin (curl)": [],
      "its own origin": [`Origin: http://127.0.0.1:${port}`, "Sec-Fetch-Site: same-origin"],
      "its own origin by name": [`Origin: http://localhost:${port}`],
      "a typed address": ["Sec-Fetch-Site: none"],
    };

    // Act
    const table: Record<string, unknown> = {};
    for (const [name, headers] of Object.entries({ ...refused, ...accepted })) {
      table[name] = await answersOn(served, IAM_ROUTES, ["Host: 127.0.0.1", ...headers]);
    }

    // Assess
    expect(table).toEqual({
      ...Object.fromEntries(Object.keys(refused).map((name) => [name, every(IAM_ROUTES, "403 origin_not_allowed")])),
      ...Object.fromEntries(Object.keys(accepted).map((name) => [name, every(IAM_ROUTES, 200)])),
    });
    expect(served.calls).toHaveLength(Object.keys(accepted).length * IAM_ROUTES.length);
  });

  it("refuses a cross-site fetch on the read routes and leaves the public routes to their signatures", async () => {
    // Act
    const answers = await answersOn(served, ROUTES, [
      "Host: 127.0.0.1",
      "Origin: https://forms.example",
      "Sec-Fetch-Site: cross-site",
    ]);

    // Assess
    expect(answers).toEqual({ ...every(PUBLIC_ROUTES, 200), ...every(IAM_ROUTES, "403 origin_not_allowed") });
  });
});

describe("local HTTP API: the request log names the route, never the person", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve();
  });

  it("prints the route template for every request, whatever the path and query carry", async () => {
    // Prepare
    const port = served.server.port;
    const requests: [string, string, string[]][] = [
      ["GET", "/leads/ada.lovelace%40example.com?include=timeline", ["Host: 127.0.0.1"]],
      ["GET", "/leads?email=ada.lovelace@example.com", ["Host: 127.0.0.1"]],
      ["DELETE", "/leads/ada.lovelace@example.com", ["Host: 127.0.0.1"]],
      ["POST", "/webhooks/generic?email=ada.lovelace@example.com", ["Host: 127.0.0.1"]],
      ["POST", "/webhooks/ada.lovelace@example.com", ["Host: 127.0.0.1"]],
      ["GET", "/accounts/lovelace.example", ["Host: 127.0.0.1"]],
      ["GET", "/nowhere/ada.lovelace@example.com", ["Host: 127.0.0.1"]],
      ["PUT", "/leads/ada.lovelace@example.com", ["Host: 127.0.0.1"]],
      ["GET", "/leads/ada.lovelace@example.com", ["Host: ada.lovelace.example"]],
      ["GET", "/leads/ada.lovelace@example.com", ["Host: 127.0.0.1", "Origin: http://ada.lovelace.example"]],
    ];

    // Act
    for (const [method, path, headers] of requests) await send(port, method, path, headers);

    // Assess
    expect(served.lines.map((line) => line.replace(/ \d+ ms/, " N ms"))).toEqual([
      "http: GET /leads/{id} 200 N ms",
      "http: GET /leads 200 N ms",
      "http: DELETE /leads/{id} 200 N ms",
      "http: POST /webhooks/generic 200 N ms",
      "http: POST /webhooks/{source} 200 N ms",
      "http: GET /accounts/{domain} 200 N ms",
      "http: GET (no route) 404 N ms not_found",
      "http: PUT (no route) 405 N ms method_not_allowed",
      "http: GET /leads/{id} 421 N ms host_not_allowed",
      "http: GET /leads/{id} 403 N ms origin_not_allowed",
    ]);
    expect(served.lines.join("\n")).not.toMatch(/lovelace|@/);
    // The benchmarks read the webhook line: a known source by name, then status and time.
    expect(served.lines[3]).toMatch(/^http: POST \/webhooks\/generic 200 (\d+) ms$/);
  });
});
