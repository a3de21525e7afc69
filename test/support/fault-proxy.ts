import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What the proxy does to a request it matches:
 * - `drop`: closes the caller's connection without an answer (the engine never sees the request);
 * - `refuse`: closes every new connection as soon as it opens (nothing listens, as far as the caller can tell);
 * - `throttle`: answers 400 with DynamoDB's ThrottlingException or ProvisionedThroughputExceededException;
 * - `internal`: answers 500 InternalServerError;
 * - `delay`: waits, then forwards;
 * - `delay-answer`: forwards (the engine applies the request), then waits before answering;
 * - `lose-answer`: forwards (the engine applies the request), then closes the connection before the answer.
 */
export type Fault =
  | { kind: "drop" }
  | { kind: "refuse" }
  | { kind: "throttle"; code?: "ThrottlingException" | "ProvisionedThroughputExceededException" }
  | { kind: "internal" }
  | { kind: "delay"; ms: number }
  | { kind: "delay-answer"; ms: number }
  | { kind: "lose-answer" };

export interface FaultRule {
  fault: Fault;
  /** Operations it applies to, e.g. ["TransactWriteItems"]; default every table operation (never Streams). */
  operations?: readonly string[];
  /** How many matching requests it applies to before the proxy passes everything again; default all. */
  times?: number;
}

export interface ProxiedRequest {
  operation: string;
  fault: Fault["kind"] | "pass";
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the client as its DynamoDB endpoint. */
  url: string;
  /** Applies a rule from now on; undefined passes everything through. */
  inject(rule: FaultRule | undefined): void;
  /** Every request seen, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** How many requests the current rule was applied to (since the last inject). */
  faultsApplied(): number;
  stop(): Promise<void>;
}

const TABLE_API = "DynamoDB_20120810.";
const MESSAGES = {
  ThrottlingException: "Rate of requests exceeds the allowed throughput.",
  ProvisionedThroughputExceededException:
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
  InternalServerError: "Internal server error",
} as const;

/**
 * An HTTP proxy on 127.0.0.1 in front of a DynamoDB endpoint that injects faults into the requests a
 * rule matches (by the operation in X-Amz-Target). Requests are read whole before they are forwarded,
 * so a request the proxy forwarded is applied by the engine even if its caller has gone away.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const requests: ProxiedRequest[] = [];
  let rule: FaultRule | undefined;
  let remaining = Number.POSITIVE_INFINITY;
  let applied = 0;

  function faultFor(operation: string, isTableApi: boolean): Fault | undefined {
    if (!rule || remaining <= 0) return undefined;
    const matches = rule.operations ? rule.operations.includes(operation) : isTableApi;
    if (!matches) return undefined;
    remaining--;
    applied++;
    return rule.fault;
  }

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of request) chunks.push(chunk as Buffer);
    } catch {
      return;
    }
    const body = Buffer.concat(chunks);
    const amzTarget = String(request.headers["x-amz-target"] ?? "");
    const operation = amzTarget.slice(amzTarget.indexOf(".") + 1);
    const fault = faultFor(operation, amzTarget.startsWith(TABLE_API));
    requests.push({ operation, fault: fault?.kind ?? "pass" });

    switch (fault?.kind) {
      case "drop":
      case "refuse":
        request.socket.destroy();
        return;
      case "throttle":
        return answerError(response, 400, fault.code ?? "ThrottlingException");
      case "internal":
        return answerError(response, 500, "InternalServerError");
      case "delay":
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        break;
      default:
        break;
    }
    try {
      const answer = await forward(request, body);
      if (fault?.kind === "lose-answer") {
        request.socket.destroy();
        return;
      }
      if (fault?.kind === "delay-answer") await new Promise((resolve) => setTimeout(resolve, fault.ms));
      response.writeHead(answer.status, answer.headers).end(answer.body);
    } catch {
      // The engine is gone: to the caller, the same as a dropped connection.
      request.socket.destroy();
    }
  });

  server.on("connection", (socket) => {
    if (rule?.fault.kind === "refuse" && remaining > 0) {
      remaining--;
      applied++;
      requests.push({ operation: "(connection)", fault: "refuse" });
      socket.destroy();
    }
  });

  function forward(request: IncomingMessage, body: Buffer) {
    return new Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }>(
      (resolve, reject) => {
        const headers = { ...request.headers, host: upstream.host, "content-length": String(body.length) };
        const outgoing = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: request.method,
            path: request.url,
            headers,
            agent,
          },
          async (answer) => {
            const parts: Buffer[] = [];
            try {
              for await (const part of answer) parts.push(part as Buffer);
            } catch (error) {
              return reject(error);
            }
            const kept: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (value !== undefined && name !== "connection" && name !== "transfer-encoding") kept[name] = value;
            }
            resolve({ status: answer.statusCode ?? 502, headers: kept, body: Buffer.concat(parts) });
          },
        );
        outgoing.on("error", reject);
        outgoing.end(body);
      },
    );
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    inject(next) {
      rule = next;
      remaining = next?.times ?? Number.POSITIVE_INFINITY;
      applied = 0;
      // Kept-alive connections would skip a `refuse`; close them so the next request must connect.
      if (next?.fault.kind === "refuse") server.closeIdleConnections();
    },
    requests,
    faultsApplied: () => applied,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

function answerError(response: ServerResponse, status: number, code: keyof typeof MESSAGES): void {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message: MESSAGES[code] });
  response
    .writeHead(status, {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": `fault-${Date.now().toString(36)}`,
      "content-length": Buffer.byteLength(body),
    })
    .end(body);
}
