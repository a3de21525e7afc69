import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer a stub gives: a status, and headers such as Retry-After. */
export interface StubAnswer {
  status: number;
  headers?: Record<string, string>;
}

export interface StubRequest {
  path: string;
  body: string;
  /** The status the stub answered with. */
  status: number;
}

export interface AlertStub {
  /** The base URL on 127.0.0.1 (Slack: the incoming webhook's URL). */
  url: string;
  /** Every request, in order, with what the stub answered. */
  readonly requests: readonly StubRequest[];
  /** The requests answered with a 2xx: what was delivered. */
  delivered(): StubRequest[];
  /** Answers the next requests with these, in order, then 2xx again. */
  script(answers: readonly StubAnswer[]): void;
  stop(): Promise<void>;
}

async function startStub(path: string, ok: (request: IncomingMessage) => { body: string; type: string }) {
  const requests: StubRequest[] = [];
  let script: StubAnswer[] = [];
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const answer = script.shift();
    const status = answer?.status ?? 200;
    requests.push({ path: request.url ?? "/", body, status });
    if (status >= 200 && status < 300) {
      const { body: okBody, type } = ok(request);
      response.writeHead(status, { "content-type": type, ...answer?.headers }).end(okBody);
      return;
    }
    response.writeHead(status, { "content-type": "text/plain", ...answer?.headers }).end("error");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    delivered: () => requests.filter((request) => request.status >= 200 && request.status < 300),
    script(answers: readonly StubAnswer[]) {
      script = [...answers];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  } satisfies AlertStub;
}

/** A loopback Slack incoming webhook: answers `ok`, or what the test scripted (429, 500, ...). */
export function startSlackStub(): Promise<AlertStub> {
  return startStub("/services/T000/B000/RELIABILITY", () => ({ body: "ok", type: "text/plain" }));
}

/** A loopback SES v2 endpoint: every SendEmail is accepted with a message id (point SES_ENDPOINT at `url`). */
export function startSesStub(): Promise<AlertStub> {
  let sent = 0;
  return startStub("", () => ({
    body: JSON.stringify({ MessageId: `stub-${++sent}` }),
    type: "application/json",
  }));
}
