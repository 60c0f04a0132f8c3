import { createConnection } from "node:net";
import { type ControlRequest, type ControlResponse, MAX_REQUEST_BYTES } from "./protocol.js";

export interface ClientLimits {
  connectTimeoutMs?: number;
  /** From the request sent to the answer received (a big list takes a while to verify). */
  responseTimeoutMs?: number;
}

/** The daemon could not be reached or did not answer in time; nothing is known of what it did. */
export class ControlClientError extends Error {
  override name = "ControlClientError";
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Sends one request to the daemon on `socketPath` and returns its answer, or null when no daemon
 * listens there (no socket file, or one left by a daemon that is gone): then the caller may open
 * the store itself. Any other failure throws ControlClientError.
 */
export function sendControlRequest(
  socketPath: string,
  request: ControlRequest,
  limits: ClientLimits = {},
): Promise<ControlResponse | null> {
  const line = `${JSON.stringify(request)}\n`;
  if (Buffer.byteLength(line) > MAX_REQUEST_BYTES)
    return Promise.reject(
      new ControlClientError(
        `the request is larger than ${MAX_REQUEST_BYTES} bytes, the most the terminal reads`,
      ),
    );
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let connected = false;
    let received = "";
    const fail = (message: string) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ControlClientError(message));
    };
    let timer = setTimeout(
      () =>
        fail(`no connection to the terminal at ${socketPath} within ${limits.connectTimeoutMs ?? 2000} ms`),
      limits.connectTimeoutMs ?? 2000,
    );
    socket.once("connect", () => {
      connected = true;
      clearTimeout(timer);
      const waitMs = limits.responseTimeoutMs ?? 300_000;
      timer = setTimeout(() => fail(`the terminal did not answer within ${waitMs / 1000} s`), waitMs);
      socket.write(line);
    });
    socket.on("data", (data: Buffer) => {
      received += data.toString("utf8");
      const nl = received.indexOf("\n");
      if (nl === -1) {
        if (received.length > MAX_RESPONSE_BYTES) fail("the terminal's answer is larger than any it sends");
        return;
      }
      clearTimeout(timer);
      socket.end();
      try {
        resolve(checkResponse(JSON.parse(received.slice(0, nl)), request.id));
      } catch (err) {
        reject(new ControlClientError(`the terminal's answer could not be read: ${(err as Error).message}`));
      }
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (!connected && (err.code === "ENOENT" || err.code === "ECONNREFUSED")) resolve(null);
      else if (err.code === "EACCES")
        reject(new ControlClientError(`not allowed to use ${socketPath}: run this as the terminal's user`));
      else reject(new ControlClientError(`talking to the terminal at ${socketPath}: ${err.message}`));
    });
    socket.once("close", () => {
      clearTimeout(timer);
      if (connected) reject(new ControlClientError("the terminal closed the connection without an answer"));
    });
  });
}

function checkResponse(value: unknown, id: string): ControlResponse {
  const r = value as Partial<ControlResponse> | null;
  if (typeof r !== "object" || r === null || typeof r.ok !== "boolean") throw new Error("not a response");
  // An error about the request line itself may come before its id could be read.
  if (r.id !== id && !(r.ok === false && r.id === null))
    throw new Error(`answer to request ${String(r.id)}, not ${id}`);
  return r as ControlResponse;
}
