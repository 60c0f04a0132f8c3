import { openEnvelope, SignatureError, type SignedEnvelope } from "../envelope/index.js";
import { formatIssues } from "../issues.js";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../limits.js";
import { type CouponList, couponListSchema } from "./schema.js";

export type ListProblem =
  | "malformed_envelope"
  | "unsigned"
  | "bad_signature"
  | "invalid_document"
  | "wrong_merchant"
  | "stale_version"
  | "issued_ahead";

export class CouponListError extends Error {
  override name = "CouponListError";
  constructor(
    readonly problem: ListProblem,
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length ? `${message}:\n${details.map((d) => `  - ${d}`).join("\n")}` : message);
  }
}

export interface ListInForce {
  version: number;
  signature: string;
}

export interface VerifiedList {
  list: CouponList;
  envelope: SignedEnvelope;
  /** True when this exact list is already in force (a harmless re-delivery). */
  unchanged: boolean;
}

/**
 * Everything a pushed or imported list must pass before it may replace the one in force:
 * signature by the pinned key, a well-formed document, our merchant, and a newer version.
 * Pure: nothing is written here, so a rejected list leaves the cache exactly as it was.
 */
export function verifyCouponList(
  envelopeText: string,
  pinned: { id: string; publicKey: string },
  inForce: ListInForce | null,
): VerifiedList {
  let opened: { envelope: SignedEnvelope; document: string };
  try {
    opened = openEnvelope(envelopeText, pinned.publicKey);
  } catch (err) {
    if (err instanceof SignatureError)
      throw new CouponListError(err.problem, `coupon list refused: ${err.message}`);
    throw err;
  }
  // Only the canonical fields that were verified are kept (and stored in the cache).
  const { envelope, document } = opened;
  if (jsonDepthExceeds(document, MAX_JSON_DEPTH))
    throw new CouponListError(
      "invalid_document",
      `coupon list refused: the signed document is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  let data: unknown;
  try {
    data = JSON.parse(document);
  } catch (err) {
    throw new CouponListError(
      "invalid_document",
      `coupon list refused: signed document is not JSON (${(err as Error).message})`,
    );
  }
  const parsed = couponListSchema.safeParse(data);
  if (!parsed.success) {
    throw new CouponListError(
      "invalid_document",
      "coupon list refused: the document is not valid",
      formatIssues(parsed.error.issues).slice(0, 20),
    );
  }
  const list = parsed.data;
  if (list.merchant !== pinned.id) {
    throw new CouponListError(
      "wrong_merchant",
      `coupon list refused: it is for merchant "${list.merchant}", this terminal belongs to "${pinned.id}"`,
    );
  }
  if (inForce) {
    if (list.version === inForce.version && envelope.signature === inForce.signature)
      return { list, envelope, unchanged: true };
    if (list.version <= inForce.version) {
      throw new CouponListError(
        "stale_version",
        `coupon list refused: version ${list.version} is not newer than version ${inForce.version} in force`,
      );
    }
  }
  return { list, envelope, unchanged: false };
}
