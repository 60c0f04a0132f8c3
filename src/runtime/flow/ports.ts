import type { ScannedCoupon } from "../coupons/scan-payload.js";
import type { CouponIndex } from "../engine/coupon-index.js";
import type { BasketVerdict } from "../engine/verdict.js";
import type { RedeemEntry, VoidEntry } from "../ledger/records.js";

/**
 * What the redemption flow needs from the ledger (the coupon store). The flow owns no device and
 * no file: it calls these, and the composition root hands it the real store.
 */
export interface BasketInput {
  amount: number;
  coupons: ScannedCoupon[];
  /** Salted member hash (see `memberHash`), never the raw id. */
  member?: string;
}

export type RedeemResult =
  | { committed: true; entry: RedeemEntry; verdict: BasketVerdict }
  | { committed: false; verdict: BasketVerdict };

export type VoidFailure = "not_found" | "already_voided" | "window_passed" | "bad_pin";

export class VoidError extends Error {
  override name = "VoidError";
  constructor(
    readonly reason: VoidFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface LedgerStatus {
  listVersion: number | null;
  listIssuedAt: number | null;
  codes: number;
  /** Whether the clock is at or past the latest trusted time (minus tolerance). */
  clockTrusted: boolean;
  trustedTime: number;
  redemptions: number;
}

export interface LedgerPort {
  /** The coupon list in force, or null before the first import. */
  index(): CouponIndex | null;
  /** Dry run: the verdict for this basket now. Changes nothing. */
  check(basket: BasketInput, now: number): BasketVerdict;
  /**
   * Re-validates and, if every coupon is accepted, appends the redemption to the journal and
   * fsyncs before returning. Only a `committed: true` result may be shown as approved.
   */
  redeem(basket: BasketInput, now: number, cashier: string): RedeemResult;
  /** Compensating void of one redemption (manager PIN, within the void window). Throws VoidError. */
  voidRedemption(id: string, now: number, cashier: string, pin: string): VoidEntry;
  /** The newest redemption of this terminal that is not voided, if any. */
  lastRedemption(): RedeemEntry | undefined;
  redemption(id: string): { entry: RedeemEntry; voided: boolean } | undefined;
  /** Redemptions and voids with `from <= at < to`, for X/Z reports. */
  entriesBetween(from: number, to: number): (RedeemEntry | VoidEntry)[];
  /** When the last end-of-day (Z) report closed the books, or null if none ever did. */
  lastDayClose(): number | null;
  /** Records that a Z report closed the books at `at` (durable): the next X/Z starts there. */
  closeDay(at: number): void;
  /** Hash a member id (phone number or member code) with the list's salt. */
  memberHash(raw: string): string;
  status(now: number): LedgerStatus;
}
