import type { RedeemEntry, VoidEntry } from "../../protocol/journal/index.js";
import type { BasketInput } from "../engine/basket.js";
import type { CouponIndex } from "../engine/coupon-index.js";
import type { BasketVerdict } from "../engine/verdict.js";

export type RedeemResult =
  | { committed: true; entry: RedeemEntry; verdict: BasketVerdict }
  | { committed: false; verdict: BasketVerdict };

/** not_last: the menu voids only the terminal's newest redemption (and only once). */
export type VoidFailure = "not_found" | "already_voided" | "window_passed" | "not_last";

export class VoidError extends Error {
  override name = "VoidError";
  constructor(
    readonly reason: VoidFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * bad_pin: wrong PIN (`attemptsLeft` 0 when this one locked the door); locked: wrong PINs locked
 * manager actions until `lockedUntil`; not_set: no manager PIN configured.
 */
export type PinFailure = "bad_pin" | "locked" | "not_set";

/** A manager PIN refused, by the one lockout policy every door (menu void, Z, `quan void`) shares. */
export class ManagerPinError extends Error {
  override name = "ManagerPinError";
  constructor(
    readonly reason: PinFailure,
    message: string,
    readonly attemptsLeft: number,
    readonly lockedUntil: number | null,
  ) {
    super(message);
  }
}

export interface PinLockStatus {
  /** Wrong PINs still allowed before the lockout. */
  attemptsLeft: number;
  /** While locked, when it ends (epoch ms); null when not locked. */
  lockedUntil: number | null;
}

/** An end-of-day (Z) close: numbered from 1, monotonic, durable before the report prints. */
export interface DayClose {
  no: number;
  from: number;
  to: number;
}

export interface LastRedemption {
  entry: RedeemEntry;
  /** The void of it, when it was voided. */
  voidEntry?: VoidEntry;
}

export interface LedgerStatus {
  listVersion: number | null;
  listIssuedAt: number | null;
  codes: number;
  /** Whether the clock is NTP-synchronised (as `quan doctor` says it). */
  clockSynchronized: boolean;
  /**
   * Whether time-limited coupons can be judged: the clock is synchronised, or at or past the
   * latest trusted time (minus tolerance).
   */
  clockTrusted: boolean;
  trustedTime: number;
  redemptions: number;
}

/**
 * What the ledger (the coupon store) offers the redemption flow, the receipts and the CLI, and how
 * it refuses. The flow owns no device and no file: it calls these, and the composition root hands
 * it the real store.
 */
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
  /**
   * The menu's void: compensates `id` only if it is this terminal's newest redemption and not yet
   * voided (manager PIN, within the void window). Throws VoidError or ManagerPinError.
   */
  voidLastRedemption(id: string, now: number, cashier: string, pin: string): VoidEntry;
  /** The newest redemption of this terminal, voided or not, if any. */
  lastRedemption(): LastRedemption | undefined;
  redemption(id: string): { entry: RedeemEntry; voided: boolean } | undefined;
  /** Redemptions and voids with `from <= at < to`, for X/Z reports. */
  entriesBetween(from: number, to: number): (RedeemEntry | VoidEntry)[];
  /** The last end-of-day (Z) close, or null if none ever closed the books. */
  lastDayClose(): DayClose | null;
  /**
   * Closes the books for `from <= at < to` with the manager PIN (durable, numbered): the next X/Z
   * starts at `to`. Throws ManagerPinError.
   */
  closeDay(from: number, to: number, pin: string): DayClose;
  /** Where the manager PIN lockout stands now. */
  pinLock(now: number): PinLockStatus;
  /** Hash a member id (phone number or member code) with the list's salt. */
  memberHash(raw: string): string;
  status(now: number): LedgerStatus;
}
