import type { ScannedCoupon } from "../coupons/scan-payload.js";
import type { UsageState } from "../ledger/usage.js";
import type { CouponIndex } from "./coupon-index.js";
import { type EarlierLine, type TerminalContext, validateCoupon } from "./validate.js";
import type { BasketVerdict, Verdict } from "./verdict.js";

/** A bill and the coupons scanned for it, as the cashier or the CLI gives them to the ledger. */
export interface BasketInput {
  amount: number;
  coupons: ScannedCoupon[];
  /** Salted member hash (see `memberHash`), never the raw id. */
  member?: string;
}

export interface Basket {
  /** The bill, minor units. */
  amount: number;
  /** Coupons in scan order. */
  coupons: readonly ScannedCoupon[];
  member?: string;
}

/**
 * Applies the coupons in scan order, each to the payable left by the ones before it. A rejected
 * coupon changes nothing for the ones after it.
 */
export function evaluateBasket(
  index: CouponIndex,
  usage: UsageState,
  basket: Basket,
  clockNow: number,
  ctx: TerminalContext,
): BasketVerdict {
  if (!Number.isSafeInteger(basket.amount) || basket.amount < 0) {
    throw new RangeError(`bill amount must be a non-negative integer of minor units, got ${basket.amount}`);
  }
  let payable = basket.amount;
  const earlier: EarlierLine[] = [];
  const lines: Verdict[] = [];
  for (const scan of basket.coupons) {
    const req =
      basket.member === undefined
        ? { scan, payable, earlier }
        : { scan, payable, earlier, member: basket.member };
    const verdict = validateCoupon(index, usage, req, clockNow, ctx);
    lines.push(verdict);
    if (verdict.ok) {
      payable = verdict.payable;
      earlier.push(
        verdict.otpStep === undefined ? { code: verdict.code, campaign: verdict.campaign } : verdict,
      );
    }
  }
  return {
    amount: basket.amount,
    lines,
    discount: basket.amount - payable,
    payable,
    committable: lines.length > 0 && lines.every((l) => l.ok),
  };
}
