import type { CouponCode } from "../../protocol/coupon-list/index.js";

/**
 * How the engine reads the codes of the list in force. A list may hold millions of codes, so the
 * engine never needs them as objects: an implementation answers one code at a time (the in-memory
 * `CodeTable`, the packed table read from the list cache, or a delta overlay on top of either).
 */
export interface CodeLookup {
  /** The code's entry, or undefined when the list does not hold it (never throws on odd input). */
  get(code: string): CouponCode | undefined;
  has(code: string): boolean;
  readonly size: number;
}
