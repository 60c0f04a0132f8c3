import { join } from "node:path";
import { MAX_ENVELOPE_BYTES } from "../../protocol/limits.js";

/**
 * The control channel: other processes on the board (the `quan` CLI) hand the daemon work over a
 * unix socket in the data directory, because the daemon owns the store. One request per line, one
 * response per line, both JSON, matched by the request's `id`:
 *
 *   -> {"id":"7","command":"import-list","list":"<signed envelope text>"}
 *   <- {"id":"7","ok":true,"result":{"status":"imported","version":3,"codes":200000}}
 *   <- {"id":"7","ok":false,"error":{"code":"refused","problem":"bad_signature","message":"..."}}
 *
 * The daemon refuses a line over MAX_REQUEST_BYTES before reading more of it, a line that is not
 * such a request, and a command it does not know, with an error naming what was wrong.
 */

export const CONTROL_SOCKET_NAME = "control.sock";

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_NAME);
}

/** An envelope the terminal would read, as a JSON string: escaping at most doubles it. */
export const MAX_REQUEST_BYTES = 2 * MAX_ENVELOPE_BYTES + 4096;
/** Lines up to this size are decoded on the daemon's main thread; larger ones only off it. */
export const SMALL_REQUEST_BYTES = 64 * 1024;
export const MAX_ID_LENGTH = 64;

export const COMMANDS = ["import-list"] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface ImportListRequest {
  id: string;
  command: "import-list";
  /** The signed envelope, exactly as the file holds it. */
  list: string;
}
export type ControlRequest = ImportListRequest;

export type ErrorCode =
  /** Not one JSON object with a string id and a known command and its fields. */
  | "malformed"
  | "too_large"
  | "unknown_command"
  /** The daemon looked at the work and said no (a list refused: the problem says why). */
  | "refused"
  | "timeout"
  /** The daemon is stopping, or failed in a way that is not the request's fault (see its log). */
  | "unavailable";

export interface ControlError {
  code: ErrorCode;
  message: string;
  /** For "refused": the machine-readable reason (a list's ListProblem). */
  problem?: string;
}

export interface ImportListResult {
  status: "imported" | "unchanged";
  version: number;
  codes: number;
}

export type ControlResponse =
  | { id: string | null; ok: true; result: ImportListResult }
  | { id: string | null; ok: false; error: ControlError };

export class RequestError extends Error {
  override name = "RequestError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The request's id when it could be read, so the answer still matches. */
    readonly id: string | null = null,
  ) {
    super(message);
  }
}

/** Checks one request line; throws RequestError saying what is wrong with it. */
export function decodeRequest(line: string): ControlRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new RequestError("malformed", `not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new RequestError("malformed", "a request is one JSON object per line");
  const r = value as Record<string, unknown>;
  if (typeof r.id !== "string" || r.id === "" || r.id.length > MAX_ID_LENGTH)
    throw new RequestError("malformed", `"id" must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  const id = r.id;
  if (typeof r.command !== "string")
    throw new RequestError("malformed", `"command" must be a string (one of ${COMMANDS.join(", ")})`, id);
  if (!(COMMANDS as readonly string[]).includes(r.command))
    throw new RequestError(
      "unknown_command",
      `unknown command ${JSON.stringify(r.command.slice(0, 40))} (known: ${COMMANDS.join(", ")})`,
      id,
    );
  const extra = Object.keys(r).filter((k) => !["id", "command", "list"].includes(k));
  if (extra.length)
    throw new RequestError("malformed", `unknown field ${JSON.stringify(extra[0]?.slice(0, 40))}`, id);
  if (typeof r.list !== "string" || r.list === "")
    throw new RequestError("malformed", `import-list needs "list", the signed envelope text`, id);
  return { id, command: "import-list", list: r.list };
}

export function encodeResponse(response: ControlResponse): string {
  return `${JSON.stringify(response)}\n`;
}

export function errorResponse(id: string | null, error: ControlError): ControlResponse {
  return { id, ok: false, error };
}
