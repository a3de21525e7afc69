import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import sesServerModule from "aws-ses-v2-local";

export interface SesEmulatorOptions {
  /** 0 or omitted picks a free port. */
  port?: number;
  host?: string;
}

export interface SesEmulator {
  /** The SES v2 endpoint (SES_ENDPOINT) and, in a browser, the page that shows the mail sent. */
  url: string;
  stop(): Promise<void>;
}

/** One email as the emulator stored it (`GET /store`). */
export interface SentEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  /** Epoch seconds. */
  at: number;
}

type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;

/** The package is CommonJS with `exports.default`: ESM sees it under `default`, bundlers unwrap it. */
function startServer(): StartServer {
  const module = sesServerModule as unknown as StartServer | { default: StartServer };
  return typeof module === "function" ? module : module.default;
}

/**
 * Starts aws-ses-v2-local in this process: an SES v2 API that keeps what it is sent, with a page to read
 * it. Its store lives in the module, so there is one mailbox per process.
 */
export async function startSesEmulator(options: SesEmulatorOptions = {}): Promise<SesEmulator> {
  const host = options.host ?? "127.0.0.1";
  const server = await startServer()({ host, port: options.port ?? 0 });
  if (!server.listening) {
    server.close();
    throw new Error(`the SES emulator could not listen on ${host}:${options.port ?? 0} (is the port in use?)`);
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The mail the emulator at `url` holds, optionally only what arrived since `sinceSeconds` (epoch). */
export async function sentEmails(url: string, sinceSeconds?: number): Promise<SentEmail[]> {
  const query = sinceSeconds === undefined ? "" : `?since=${Math.floor(sinceSeconds)}`;
  const response = await fetch(`${url}/store${query}`);
  if (!response.ok) throw new Error(`the SES emulator answered ${response.status}`);
  const store = (await response.json()) as { emails: SentEmail[] };
  return store.emails;
}
