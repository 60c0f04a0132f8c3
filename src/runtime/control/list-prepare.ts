import type { CouponList } from "../../protocol/coupon-list/index.js";
import { CouponListError, type ListInForce, verifyCouponList } from "../../protocol/coupon-list/index.js";
import type { SignedEnvelope } from "../../protocol/envelope/index.js";
import { listCacheContent } from "../store/coupon-store.js";
import { prepareFileDurable } from "../store/durable-file.js";
import { type CodeColumns, packCodes } from "./code-columns.js";
import { type ControlError, decodeRequest, RequestError } from "./protocol.js";

/**
 * The slow part of importing a list, done off the daemon's main thread: decode the request,
 * verify the envelope against the pinned key, validate the document, compare it with the list in
 * force, write the new cache file (synced, not yet in place) and pack the codes for the main
 * thread. Nothing here changes what is in force.
 */
export interface PrepareTask {
  /** A whole request line too large to decode on the main thread (UTF-8), or a decoded request's list. */
  request: { line: Uint8Array } | { id: string; list: string };
  merchant: { id: string; publicKey: string };
  inForce: ListInForce | null;
  cacheFile: string;
  importedAt: string;
}

export type PreparedOutcome =
  | { id: string | null; kind: "unchanged"; version: number; codes: number }
  | {
      id: string | null;
      kind: "prepared";
      envelope: SignedEnvelope;
      /** The list without its codes (they are in `columns`). */
      header: CouponList;
      columns: CodeColumns;
      preparedFile: string;
    }
  | { id: string | null; kind: "error"; error: ControlError };

export function prepareList(task: PrepareTask): PreparedOutcome {
  let id: string | null = "id" in task.request ? task.request.id : null;
  try {
    let list: string;
    if ("line" in task.request) {
      const request = decodeRequest(utf8(task.request.line));
      id = request.id;
      list = request.list;
    } else list = task.request.list;
    const verified = verifyCouponList(list, task.merchant, task.inForce);
    const { codes, ...rest } = verified.list;
    if (verified.unchanged) return { id, kind: "unchanged", version: rest.version, codes: codes.length };
    const preparedFile = prepareFileDurable(
      task.cacheFile,
      listCacheContent(verified.envelope, task.importedAt),
    );
    return {
      id,
      kind: "prepared",
      envelope: verified.envelope,
      header: { ...rest, codes: [] },
      columns: packCodes(codes),
      preparedFile,
    };
  } catch (err) {
    if (err instanceof RequestError)
      return { id: err.id, kind: "error", error: { code: err.code, message: err.message } };
    if (err instanceof CouponListError)
      return { id, kind: "error", error: { code: "refused", problem: err.problem, message: err.message } };
    throw err;
  }
}

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new RequestError("malformed", "the request is not UTF-8 text");
  }
}
