import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "#shared/edge/api-gateway";
import { MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError } from "#shared/edge/errors";
import { errorResponse } from "#shared/edge/http-errors";
import { type HttpHandler, type LocalHttpServer, startHttpServer } from "#shared/local/http-server";
import type { FunctionName } from "#shared/runtime/routes";
import { type RawResponse, rawRequest as sendRaw } from "../support/raw-http";

interface Call {
  name: FunctionName;
  event: APIGatewayProxyEventV2;
}

const calls: Call[] = [];
let reply: HttpHandler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: "{}" });
let server: LocalHttpServer;
const lines: string[] = [];

beforeAll(async () => {
  server = await startHttpServer({
    port: 0,
    region: "eu-west-1",
    log: (line) => lines.push(line),
    handler: async (name) => async (event, context) => {
      calls.push({ name, event });
      return reply(event, context);
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  calls.length = 0;
  reply = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: "{}" });
});

/** A request to the server under test, bytes exactly as given. */
const rawRequest = (head: string, body?: Buffer) => sendRaw(server.port, head, body);

function post(path: string, body: Buffer, extraHeaders: string[] = []): Promise<RawResponse> {
  const head = [
    `POST ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Connection: close",
    `Content-Length: ${body.length}`,
    ...extraHeaders,
    "",
  ].join("\n");
  return rawRequest(head, body);
}

const onlyCall = (): Call => {
  expect(calls).toHaveLength(1);
  return calls[0] as Call;
};
const bodyOf = (event: APIGatewayProxyEventV2) => Buffer.from(event.body ?? "", "base64");

describe("local HTTP API: requests become payload v2 events", () => {
  it("hands over a body that is not UTF-8 byte for byte", async () => {
    // Prepare
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x0d, 0x0a, 0xe9]);

    // Act
    const response = await post("/webhooks/generic", body, ["Content-Type: application/octet-stream"]);

    // Assess
    expect(response.status).toBe(200);
    const { name, event } = onlyCall();
    expect(name).toBe("ingest");
    expect(event.isBase64Encoded).toBe(true);
    expect(bodyOf(event).equals(body)).toBe(true);
  });

  it("keeps a pretty-printed JSON body exactly as sent: spacing, key order, CRLF, trailing newline", async () => {
    const text = '{\r\n  "b" : 1,\r\n\t"a":   "é ✓",\r\n  "n": 1.50\r\n}\r\n\r\n';
    await post("/webhooks/generic", Buffer.from(text, "utf8"), ["Content-Type: application/json"]);
    expect(bodyOf(onlyCall().event).toString("utf8")).toBe(text);
  });

  it("lower-cases header names, joins repeats with commas and moves cookies to `cookies`", async () => {
    await post("/webhooks/generic", Buffer.from("{}"), [
      "X-Ripen-Signature: v1=abc",
      "X-Custom: one",
      "x-CUSTOM: two",
      "Cookie: session=s1; theme=dark",
      "Cookie: other=o",
      "User-Agent: Typeform Webhooks",
    ]);
    const { event } = onlyCall();
    expect(event.headers).toMatchObject({
      "x-ripen-signature": "v1=abc",
      "x-custom": "one,two",
      "user-agent": "Typeform Webhooks",
      "content-length": "2",
      "x-forwarded-proto": "http",
      "x-forwarded-for": "127.0.0.1",
    });
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(["session=s1", "theme=dark", "other=o"]);
    expect(event.requestContext.http.userAgent).toBe("Typeform Webhooks");
  });

  it("keeps the raw query string exactly and decodes the parameters, joining repeats", async () => {
    await post("/webhooks/generic?b=2&a=1&a=3&q=%20x+y&empty=", Buffer.from("{}"));
    const { event } = onlyCall();
    expect(event.rawQueryString).toBe("b=2&a=1&a=3&q=%20x+y&empty=");
    expect(event.queryStringParameters).toEqual({ b: "2", a: "1,3", q: " x y", empty: "" });
    expect(event.rawPath).toBe("/webhooks/generic");
  });

  it("fills route, path parameters and request context as the HTTP API does", async () => {
    // Prepare
    const before = Date.now();

    // Act
    const response = await rawRequest("GET /leads/lead%2F42 HTTP/1.1\nHost: localhost:3000\nConnection: close\n");

    // Assess
    const { name, event } = onlyCall();
    expect(name).toBe("read");
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /leads/{id}",
      rawPath: "/leads/lead%2F42",
      rawQueryString: "",
      pathParameters: { id: "lead/42" },
      isBase64Encoded: false,
      requestContext: {
        routeKey: "GET /leads/{id}",
        stage: "$default",
        domainName: "localhost",
        http: { method: "GET", path: "/leads/lead%2F42", protocol: "HTTP/1.1", sourceIp: "127.0.0.1" },
      },
    });
    expect(event.body).toBeUndefined();
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.requestContext.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(response.headers["apigw-requestid"]).toEqual([event.requestContext.requestId]);
  });
});

describe("local HTTP API: what never reaches a handler", () => {
  it("answers 404 not_found for a path no route has", async () => {
    const response = await rawRequest("GET /nowhere HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n");
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString())).toMatchObject({ error: { code: "not_found" } });
    expect(calls).toHaveLength(0);
  });

  it("answers 405 method_not_allowed, with Allow, for a known path and another method", async () => {
    const response = await rawRequest("DELETE /webhooks/generic HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n");
    expect(response.status).toBe(405);
    expect(response.headers.allow).toEqual(["POST"]);
    expect(JSON.parse(response.body.toString())).toMatchObject({ error: { code: "method_not_allowed" } });
    expect(calls).toHaveLength(0);
  });

  it("answers 413 payload_too_large above the body limit, declared or chunked, and accepts exactly the limit", async () => {
    // Act
    const declared = await post("/webhooks/generic", Buffer.alloc(MAX_BODY_BYTES + 1, 0x61));
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    const chunked = await rawRequest(
      "POST /webhooks/generic HTTP/1.1\nHost: 127.0.0.1\nConnection: close\nTransfer-Encoding: chunked\n",
      Buffer.concat([
        ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from("10000\r\n"), chunk, Buffer.from("\r\n")])),
        Buffer.from("0\r\n\r\n"),
      ]),
    );
    expect(calls).toHaveLength(0);
    const atLimit = await post("/webhooks/generic", Buffer.alloc(MAX_BODY_BYTES, 0x63));

    // Assess
    for (const response of [declared, chunked]) {
      expect(response.status).toBe(413);
      expect(JSON.parse(response.body.toString())).toMatchObject({ error: { code: "payload_too_large" } });
    }
    expect(atLimit.status).toBe(200);
    expect(bodyOf(onlyCall().event).length).toBe(MAX_BODY_BYTES);
  });

  it("answers its 404, 405 and 413 as the Lambdas' error handler answers the same error", async () => {
    // Act
    const notFound = await rawRequest("GET /nowhere HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n");
    const wrongMethod = await rawRequest("DELETE /webhooks/generic HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n");
    const tooLarge = await post("/webhooks/generic", Buffer.alloc(MAX_BODY_BYTES + 1, 0x61));

    // Assess
    expectAnsweredAs(notFound, errorResponse(new RouteNotFoundError("no route for this path")));
    expectAnsweredAs(wrongMethod, errorResponse(new MethodNotAllowedError(["POST"])));
    expectAnsweredAs(tooLarge, errorResponse(new PayloadTooLargeError(`the body limit is ${MAX_BODY_BYTES} bytes`)));
  });
});

/** The local response has the edge module's status, its body byte for byte, and each of its headers. */
function expectAnsweredAs(response: RawResponse, expected: APIGatewayProxyStructuredResultV2): void {
  expect(response.status).toBe(expected.statusCode);
  expect(response.body.toString()).toBe(expected.body);
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    expect({ name, values: response.headers[name] }).toEqual({ name, values: [String(value)] });
  }
}

describe("local HTTP API: handler results become responses", () => {
  it("answers 500 internal when the handler throws, and keeps serving", async () => {
    // Prepare
    reply = async () => {
      throw new Error("table missing: secret-looking detail");
    };

    // Act
    const failed = await post("/webhooks/generic", Buffer.from("{}"));
    reply = async () => ({ statusCode: 202, body: "accepted" });
    const next = await post("/webhooks/generic", Buffer.from("{}"));

    // Assess
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body.toString())).toEqual({ error: { code: "internal", message: "internal error" } });
    expect(failed.body.toString()).not.toContain("secret");
    expect(next.status).toBe(202);
    expect(next.body.toString()).toBe("accepted");
  });

  it("writes status, headers, cookies and a base64 body from a structured result", async () => {
    reply = async () => ({
      statusCode: 201,
      headers: { "Content-Type": "application/octet-stream", "x-count": 3 as unknown as string },
      cookies: ["a=1; Path=/", "b=2; HttpOnly"],
      body: Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString("base64"),
      isBase64Encoded: true,
    });
    const response = await post("/webhooks/generic", Buffer.from("{}"));
    expect(response.status).toBe(201);
    expect(response.headers["content-type"]).toEqual(["application/octet-stream"]);
    expect(response.headers["x-count"]).toEqual(["3"]);
    expect(response.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; HttpOnly"]);
    expect(response.body.equals(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe(true);
  });

  it("answers 200 JSON for a result without a status code, as payload v2 infers", async () => {
    reply = async () => ({ status: "ok" }) as never;
    const response = await post("/webhooks/generic", Buffer.from("{}"));
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toEqual(["application/json"]);
    expect(JSON.parse(response.body.toString())).toEqual({ status: "ok" });
  });
});

describe("local HTTP API: its description", () => {
  it("serves the OpenAPI description at GET /openapi.json without calling a function", async () => {
    // Act
    const response = await fetch(`${server.url}/openapi.json`);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toContain("/leads/{id}");
    expect(calls).toHaveLength(0);
  });

  it("answers another method on /openapi.json as a path with no route", async () => {
    // Act
    const response = await fetch(`${server.url}/openapi.json`, { method: "POST", body: "{}" });

    // Assess
    expect(response.status).toBe(404);
    expect(calls).toHaveLength(0);
  });
});
