import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
}

/**
 * Sends bytes exactly as given to 127.0.0.1:port (no client normalizing names, bodies or the Host header)
 * and reads the whole response. `head` is the request line and headers, one per line, ending in a newline.
 */
export function rawRequest(port: number, head: string, body: Buffer = Buffer.alloc(0)): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      const [statusLine = "", ...headerLines] = all.subarray(0, split).toString("latin1").split("\r\n");
      const headers: Record<string, string[]> = {};
      for (const line of headerLines) {
        const at = line.indexOf(":");
        const name = line.slice(0, at).toLowerCase();
        headers[name] = [...(headers[name] ?? []), line.slice(at + 1).trim()];
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: all.subarray(split + 4) });
    });
    socket.write(Buffer.concat([Buffer.from(`${head.replaceAll("\n", "\r\n")}\r\n`, "latin1"), body]));
  });
}
