import type { RejectionReason } from "../engine/verdict.js";
import type { PrintJob } from "./effects.js";
import type { NetworkStatus, PrinterHealth } from "./events.js";
import type { PrintState } from "./print-tracker.js";

/**
 * What the screens render: a plain, serialisable snapshot of the flow. Amounts are integer minor
 * units in `currency`; texts that come from the coupon list (campaign names, offers) are already
 * in the flow's locale; everything else is a code the screens translate.
 */
export interface FlowView {
  storeName: string;
  currency: string;
  /** "2026-11-22 18:42", store timezone. */
  clock: string;
  health: HealthView;
  screen: ScreenView;
  /** The latest message for the cashier (a refused key, a scan that is no coupon, ...). */
  notice: Notice | null;
  /** A receipt that did not print; stays until a print succeeds or the cashier dismisses it. */
  printProblem: PrintProblem | null;
  /** A code being typed letter by letter on the console keyboard, shown until Enter or Escape. */
  typing?: string;
}

export type ScreenView =
  | { name: "idle" }
  | { name: "sale"; sale: SaleView }
  | { name: "approved"; receipt: ReceiptView }
  | { name: "menu" }
  | { name: "void_pin"; target: ReceiptView; pinLength: number; attemptsLeft: number }
  /** Confirming a Z with the manager PIN: its number and where its period starts ("YYYY-MM-DD HH:MM"). */
  | { name: "z_pin"; zNo: number; from: string; pinLength: number; attemptsLeft: number }
  /** A menu action finished; `print` follows its slip until the printer is done with it. */
  | { name: "done"; what: DoneWhat; print: PrintState; receipt?: ReceiptView; zNo?: number };

export type DoneWhat = "voided" | "reprinted" | "report_X" | "report_Z" | "reprinted_Z";

/**
 * amount: typing the bill; review: the bill is set, verdicts and totals shown, Enter commits;
 * code: typing a coupon code on the keypad; member: typing a phone number or scanning a member code.
 */
export type SaleStep = "amount" | "review" | "code" | "member";

export interface SaleView {
  step: SaleStep;
  /** The amount as typed, e.g. "128.5"; "" before the first key. */
  amountText: string;
  /** The confirmed bill; null while it is being typed (verdicts are then shown without discounts). */
  amount: number | null;
  lines: CouponLineView[];
  discount: number | null;
  payable: number | null;
  committable: boolean;
  /** Whether a member has been identified (the hash itself is not shown). */
  member: boolean;
  /** The identified member's phone or code, all but the last 4 characters masked: "*******8000". */
  memberMasked?: string;
  /** The coupon code being typed (step "code"). */
  codeText: string;
  /**
   * The phone number as it is typed (step "member"), so the cashier can see a typo; once entered it
   * is hashed and only `memberMasked` remains.
   */
  memberDigits: string;
  /** The confirmed bill a new amount is being typed over (cancel brings it back). */
  replacing?: number;
}

export interface CouponLineView {
  code: string;
  ok: boolean;
  reason?: RejectionReason;
  /** Campaign name, localized. */
  name?: string;
  /** "8折" / "20% off", localized. */
  offer?: string;
  /** Discount this coupon gives; only once the bill is confirmed and the coupon accepted. */
  discount?: number;
  gift?: string;
  detail?: ReasonDetail;
}

/** Facts that make a refusal understandable. Dates are "YYYY-MM-DD HH:MM" in the store timezone. */
export interface ReasonDetail {
  /** Formatted money, e.g. "￥50.00". */
  minSpend?: string;
  validFrom?: string;
  validUntil?: string;
  /** "11:00-14:00, 17:00-21:00" */
  hours?: string;
  lastUse?: { at: string; store: string; terminal: string };
}

export interface ReceiptView {
  id: string;
  /** "YYYY-MM-DD HH:MM:SS", store timezone. */
  at: string;
  amount: number;
  discount: number;
  payable: number;
  lines: CouponLineView[];
  member: boolean;
  /** The redemption was voided: its coupons were given back. */
  voided?: boolean;
}

export interface HealthView {
  network: NetworkStatus | "unknown";
  printer: PrinterHealth;
  unsent: number | null;
  /** Open conflicts on this till's redemptions, as the merchant flagged them. */
  conflicts: number;
  /** NTP-synchronised, as `quan doctor` reports it. */
  clockSynchronized: boolean;
  /** Time-limited coupons can be judged (synchronised, or not behind the trusted time). */
  clockTrusted: boolean;
  listVersion: number | null;
  /** Minutes since the list in force was issued. */
  listAgeMinutes: number | null;
  codes: number;
  /** Parts of the terminal that are not working (e.g. "inputs"); absent when all are. */
  faults?: string[];
}

export const NOTICE_CODES = [
  "not_a_coupon",
  "already_in_basket",
  "amount_required",
  "amount_too_large",
  "too_many_decimals",
  "no_decimals",
  "scan_coupon_first",
  "remove_rejected",
  "coupon_rejected",
  "commit_refused",
  "commit_failed",
  "check_failed",
  "member_too_short",
  "member_failed",
  "member_identified",
  "code_too_long",
  "timeout",
  "cancelled",
  "cancel_confirm",
  "amount_changed",
  "amount_kept",
  "finish_sale_first",
  "nothing_to_void",
  "nothing_to_reprint",
  "void_bad_pin",
  "void_too_many_attempts",
  "void_locked",
  "void_window_passed",
  "void_already_voided",
  "void_not_found",
  "void_failed",
  "void_not_last",
  "pin_not_set",
  "close_failed",
] as const;

export type NoticeCode = (typeof NOTICE_CODES)[number];

export interface Notice {
  code: NoticeCode;
  tone: "info" | "error";
  /** Values for the message's placeholders, already formatted (money, dates). */
  params?: Record<string, string>;
}

export interface PrintProblem {
  /** Redemption and void receipts are printed after the commit: the record itself is saved. */
  job: PrintJob["kind"];
  /** The printer's own words, for the technician. */
  detail: string;
}
