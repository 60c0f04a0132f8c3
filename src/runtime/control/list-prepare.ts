import { createHash } from "node:crypto";
import { CouponListError } from "../../protocol/coupon-list/index.js";
import type { ListHead } from "../engine/list-overlay.js";
import { type Pinned, type PreparedList, prepareListImport } from "../store/list-cache/list-cache.js";
import { type ControlError, decodeRequest, RequestError } from "./protocol.js";

/**
 * The heavy step of importing a list, done off the daemon's main thread: decode the request, then
 * the store's `prepareListImport` (verify the envelope against the pinned key, validate the
 * document, compare it with the list in force, build the new table into temp files in the cache
 * directory). Nothing here changes what is in force; the main thread commits with
 * `commitPreparedList`.
 */
export interface PrepareTask {
  /**
   * A whole request line too large to decode on the main thread (UTF-8, in the blocks it arrived
   * in), or a decoded request's list.
   */
  request:
    | { blocks: Uint8Array[] }
    | { id: string; list: string }
    /** An envelope assembled from the link's chunks, moved here as bytes; `sha256` is the manifest's. */
    | { id: string; envelope: Uint8Array; sha256: string };
  /** What the store's `listImportTarget()` said: the cache directory, the pinned merchant, the list in force. */
  target: { dir: string; pinned: Pinned; inForce: ListHead | null };
}

/** What the list worker does: prepare an import, or a compaction of the list in force. */
export type ListWorkerTask = PrepareTask | { compact: { dir: string; pinned: Pinned } };

export type PreparedOutcome =
  | { id: string | null; kind: "prepared"; prepared: PreparedList }
  | { id: string | null; kind: "error"; error: ControlError };

export function prepareList(task: PrepareTask): PreparedOutcome {
  let id: string | null = "id" in task.request ? task.request.id : null;
  try {
    let bytes: Buffer;
    if ("blocks" in task.request) {
      const request = decodeRequest(utf8(task.request.blocks));
      id = request.id;
      bytes = Buffer.from(request.list, "utf8");
    } else if ("envelope" in task.request) {
      const e = task.request.envelope;
      bytes = Buffer.from(e.buffer, e.byteOffset, e.byteLength);
      // The whole document's hash, checked here rather than on the thread that answers scans.
      if (createHash("sha256").update(bytes).digest("hex") !== task.request.sha256)
        return {
          id,
          kind: "error",
          error: { code: "refused", message: "the assembled list does not match its signed manifest" },
        };
    } else bytes = Buffer.from(task.request.list, "utf8");
    const { dir, pinned, inForce } = task.target;
    return {
      id,
      kind: "prepared",
      prepared: prepareListImport(dir, bytes, pinned, inForce),
    };
  } catch (err) {
    if (err instanceof RequestError)
      return { id: err.id, kind: "error", error: { code: err.code, message: err.message } };
    if (err instanceof CouponListError)
      return { id, kind: "error", error: { code: "refused", problem: err.problem, message: err.message } };
    throw err;
  }
}

function utf8(blocks: readonly Uint8Array[]): string {
  try {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let text = "";
    for (const b of blocks) text += decoder.decode(b, { stream: true });
    return text + decoder.decode();
  } catch {
    throw new RequestError("malformed", "the request is not UTF-8 text");
  }
}
