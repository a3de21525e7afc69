import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body as JSON, when it is JSON. */
  json: unknown;
}

type Answer = (response: ServerResponse, request: ReceivedRequest) => void;

/**
 * An HTTP server on 127.0.0.1 playing Slack (chat.postMessage, an incoming webhook, a response_url): it keeps
 * every request and answers with the next scripted answer, or 200 `ok` when the script is empty.
 */
export async function startLoopback() {
  const received: ReceivedRequest[] = [];
  const script: Answer[] = [];
  let fallback: Answer = (response) => response.writeHead(200, { "content-type": "text/plain" }).end("ok");
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const request = { method: incoming.method ?? "", path: incoming.url ?? "", headers: incoming.headers, body, json };
    received.push(request);
    (script.shift() ?? fallback)(response, request);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Answers the next requests in turn. */
    next: (...answers: Answer[]) => void script.push(...answers),
    /** Answers every request without a scripted answer. */
    always: (answer: Answer) => {
      fallback = answer;
    },
    reset: () => {
      received.length = 0;
      script.length = 0;
      fallback = (response) => response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const answer = {
  json:
    (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
    (response) =>
      response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body)),
  text:
    (status: number, body: string, headers: Record<string, string> = {}): Answer =>
    (response) =>
      response.writeHead(status, { "content-type": "text/plain", ...headers }).end(body),
};
