import { parseScan, ScanFormatError, type ScannedCoupon } from "../coupons/scan-payload.js";
import type { BasketInput } from "../engine/basket.js";
import type { BasketVerdict } from "../engine/verdict.js";
import type { LedgerPort } from "../store/ledger-port.js";
import { editAmount, typedAmount } from "./amount-entry.js";
import type { KeyAction } from "./keymap.js";
import { couponLineView, type Presentation } from "./verdict-view.js";
import type { NoticeCode, SaleStep, SaleView } from "./view.js";

/** What a sale needs from the flow around it. */
export interface SaleContext {
  ledger: LedgerPort;
  /** Decimals of the currency in force (0 for JPY, TWD). */
  decimals(): number;
  maxAmount: number;
  /** Formats minor units in the currency in force. */
  money(minor: number): string;
  /** An error for the cashier: shown and buzzed. */
  refuse(code: NoticeCode, params?: Record<string, string>): void;
  /** Information for the cashier: shown, no buzzer. */
  inform(code: NoticeCode, params?: Record<string, string>): void;
}

/** What the flow must do after a key in a sale. */
export type SaleOutcome = "commit" | "cancel" | null;

const MAX_CODE_LENGTH = 64;
/** A second cancel within this long drops a sale that has coupons. */
export const CANCEL_CONFIRM_MS = 10_000;
/** A burst (a paste, a fast keypad) that is an amount, told from a code by its decimal point. */
const AMOUNT_BURST = /^(\d+\.\d*|\.\d+)$/;

export function isAmountBurst(text: string): boolean {
  return AMOUNT_BURST.test(text);
}
const MIN_MEMBER_DIGITS = 4;
const MAX_MEMBER_DIGITS = 20;

/**
 * One bill being prepared: the amount, the coupons in scan order, the member, the latest verdict.
 * Nothing here is committed; dropping the object is cancelling the sale.
 */
export class Sale {
  step: SaleStep = "amount";
  /** Where the code and member steps return to. */
  private back: "amount" | "review" = "amount";
  private amountText = "";
  amount: number | null = null;
  readonly coupons: ScannedCoupon[] = [];
  member: string | undefined;
  verdict: BasketVerdict | null = null;
  private codeText = "";
  /** The confirmed bill a new amount is being typed over; cancel brings it back. */
  private replacing: number | null = null;
  /** When cancel was pressed once on a sale with coupons; a second press soon after drops it. */
  private cancelArmedAt: number | null = null;
  /** Phone digits while they are typed (shown, so a typo can be seen); hashed and cleared on Enter. */
  private memberDigits = "";
  /** What identified the member, all but the last 4 characters masked. */
  private memberMasked: string | undefined;

  constructor(private readonly ctx: SaleContext) {}

  basket(): BasketInput {
    const basket: BasketInput = { amount: this.amount ?? this.ctx.maxAmount, coupons: [...this.coupons] };
    if (this.member !== undefined) basket.member = this.member;
    return basket;
  }

  key(action: KeyAction, now: number): SaleOutcome {
    if (action.type === "cancel") return this.cancelKey(now);
    this.cancelArmedAt = null;
    switch (this.step) {
      case "amount":
        return this.amountKey(action, now);
      case "review":
        return this.reviewKey(action, now);
      case "code":
        this.codeKey(action, now);
        return null;
      case "member":
        this.memberKey(action, now);
        return null;
    }
  }

  /**
   * A scanner read. While the bill is typed, a burst shaped like an amount ("50.00" and Enter pasted
   * or typed fast) is the amount. At the member prompt a code of the list is a coupon, anything else
   * the member.
   */
  scan(text: string, now: number): void {
    this.cancelArmedAt = null;
    if (this.step === "amount" && isAmountBurst(text)) {
      this.amountBurst(text, now);
      return;
    }
    if (this.step === "member") {
      const coupon = this.knownCoupon(text);
      if (!coupon) {
        this.identifyMember(text, now);
        return;
      }
      this.leaveEntry();
      this.addCoupon(coupon, now);
      return;
    }
    const coupon = parseCouponOrRefuse(text, this.ctx);
    if (!coupon) return;
    if (this.step === "code") this.leaveEntry();
    this.addCoupon(coupon, now);
  }

  addCoupon(coupon: ScannedCoupon, now: number): void {
    if (this.coupons.some((c) => c.code === coupon.code)) {
      this.ctx.inform("already_in_basket", { code: coupon.code });
      return;
    }
    this.coupons.push(coupon);
    if (!this.recheck(now)) return;
    const added = this.verdict?.lines.at(-1);
    if (added && !added.ok && this.step !== "member")
      this.ctx.refuse("coupon_rejected", { code: added.code });
  }

  /** Re-validates the basket (a dry run). Returns false when the check itself failed. */
  recheck(now: number): boolean {
    if (this.coupons.length === 0) {
      this.verdict = null;
      return true;
    }
    try {
      this.verdict = this.ctx.ledger.check(this.basket(), now);
    } catch (err) {
      this.ctx.refuse("check_failed", { detail: errorText(err) });
      return false;
    }
    const needsMember = this.verdict.lines.some((l) => !l.ok && l.reason === "member_required");
    if (needsMember && this.member === undefined && (this.step === "amount" || this.step === "review")) {
      this.enter("member");
    }
    return true;
  }

  view(p: Presentation): SaleView {
    const priced = this.amount !== null;
    const verdict = this.verdict;
    return {
      step: this.step,
      amountText: this.amountText,
      amount: this.amount,
      lines: verdict ? verdict.lines.map((v) => couponLineView(v, priced, p)) : [],
      discount: priced ? (verdict?.discount ?? 0) : null,
      payable: priced ? (verdict?.payable ?? this.amount) : null,
      committable: priced && (verdict?.committable ?? false),
      member: this.member !== undefined,
      ...(this.memberMasked === undefined ? {} : { memberMasked: this.memberMasked }),
      codeText: this.codeText,
      memberDigits: this.memberDigits,
      ...(this.replacing === null ? {} : { replacing: this.replacing }),
    };
  }

  /** Cancel drops the sale, but one with coupons only on a second press, and a bill typed over a confirmed one first comes back. */
  private cancelKey(now: number): SaleOutcome {
    if (this.step === "amount" && this.replacing !== null) {
      this.amount = this.replacing;
      this.amountText = "";
      this.replacing = null;
      this.step = "review";
      this.recheck(now);
      this.ctx.inform("amount_kept", { amount: this.ctx.money(this.amount) });
      return null;
    }
    if (this.coupons.length === 0) return "cancel";
    if (this.cancelArmedAt !== null && now - this.cancelArmedAt < CANCEL_CONFIRM_MS) return "cancel";
    this.cancelArmedAt = now;
    this.ctx.refuse("cancel_confirm", { n: String(this.coupons.length) });
    return null;
  }

  /** A whole amount arriving at once: typed and confirmed as if key by key, within the same limits. */
  private amountBurst(text: string, now: number): void {
    const before = this.amountText;
    this.amountText = "";
    for (const ch of text) {
      const edit = editAmount(
        this.amountText,
        ch === "." ? { type: "dot" } : { type: "digit", value: Number(ch) },
        this.ctx.decimals(),
        this.ctx.maxAmount,
      );
      if ("refused" in edit) {
        this.amountText = before;
        this.refuseAmount(edit.refused);
        return;
      }
      this.amountText = edit.text;
    }
    this.confirmAmount(now);
  }

  private confirmAmount(now: number): void {
    const amount = typedAmount(this.amountText, this.ctx.decimals());
    if (amount === null) {
      this.ctx.refuse("amount_required");
      return;
    }
    const was = this.replacing;
    this.amount = amount;
    this.replacing = null;
    this.step = "review";
    if (!this.recheck(now)) return;
    // The coupons stay and are re-evaluated against the new bill; the cashier is told, and commits with another Enter.
    if (was !== null && was !== amount && this.coupons.length > 0)
      this.ctx.inform("amount_changed", { from: this.ctx.money(was), to: this.ctx.money(amount) });
  }

  private amountKey(action: KeyAction, now: number): SaleOutcome {
    switch (action.type) {
      case "digit":
      case "dot":
      case "backspace":
        this.typeAmount(action);
        return null;
      case "confirm":
        this.confirmAmount(now);
        return null;
      case "manual":
      case "member":
        this.enter(action.type === "manual" ? "code" : "member");
        return null;
      case "menu":
        this.ctx.refuse("finish_sale_first");
        return null;
      case "cancel":
        return "cancel";
    }
  }

  private reviewKey(action: KeyAction, now: number): SaleOutcome {
    switch (action.type) {
      case "confirm":
        return "commit";
      case "backspace":
        if (this.coupons.length > 0) {
          this.coupons.pop();
          this.recheck(now);
        } else this.reopenAmount(now);
        return null;
      case "digit":
      case "dot":
        // A new amount typed over a confirmed one starts over: the cashier sees it before Enter,
        // and cancel brings the confirmed one back.
        this.replacing = this.amount;
        this.amountText = "";
        this.reopenAmount(now);
        this.typeAmount(action);
        return null;
      case "manual":
      case "member":
        this.enter(action.type === "manual" ? "code" : "member");
        return null;
      case "menu":
        this.ctx.refuse("finish_sale_first");
        return null;
      case "cancel":
        return "cancel";
    }
  }

  private codeKey(action: KeyAction, now: number): void {
    switch (action.type) {
      case "digit":
        if (this.codeText.length >= MAX_CODE_LENGTH) this.ctx.refuse("code_too_long");
        else this.codeText += String(action.value);
        return;
      case "dot":
        // Dynamic codes are CODE*TOKEN; the keypad's "*" is the menu, so "." types the separator.
        if (this.codeText !== "" && !this.codeText.includes("*")) this.codeText += "*";
        return;
      case "backspace":
        if (this.codeText === "") this.leaveEntry();
        else this.codeText = this.codeText.slice(0, -1);
        return;
      case "confirm": {
        const coupon = parseCouponOrRefuse(this.codeText, this.ctx);
        if (!coupon) return;
        this.leaveEntry();
        this.addCoupon(coupon, now);
        return;
      }
      default:
        return;
    }
  }

  private memberKey(action: KeyAction, now: number): void {
    switch (action.type) {
      case "digit":
        if (this.memberDigits.length < MAX_MEMBER_DIGITS) this.memberDigits += String(action.value);
        return;
      case "backspace":
        if (this.memberDigits === "") this.leaveEntry();
        else this.memberDigits = this.memberDigits.slice(0, -1);
        return;
      case "confirm":
        if (this.memberDigits.length < MIN_MEMBER_DIGITS) {
          this.ctx.refuse("member_too_short");
          return;
        }
        this.identifyMember(this.memberDigits, now);
        return;
      default:
        return;
    }
  }

  private identifyMember(raw: string, now: number): void {
    this.memberDigits = "";
    let hash: string;
    try {
      hash = this.ctx.ledger.memberHash(raw);
    } catch (err) {
      this.ctx.refuse("member_failed", { detail: errorText(err) });
      return;
    }
    this.member = hash;
    this.memberMasked = maskAllButLast4(raw.trim());
    this.leaveEntry();
    this.ctx.inform("member_identified");
    this.recheck(now);
    const refused = this.verdict?.lines.findLast((l) => !l.ok);
    if (refused) this.ctx.refuse("coupon_rejected", { code: refused.code });
  }

  private typeAmount(key: Extract<KeyAction, { type: "digit" | "dot" | "backspace" }>): void {
    const edit = editAmount(this.amountText, key, this.ctx.decimals(), this.ctx.maxAmount);
    if (!("refused" in edit)) this.amountText = edit.text;
    else this.refuseAmount(edit.refused);
  }

  private refuseAmount(refused: NoticeCode): void {
    if (refused === "amount_too_large") this.ctx.refuse(refused, { max: this.ctx.money(this.ctx.maxAmount) });
    else this.ctx.refuse(refused);
  }

  private reopenAmount(now: number): void {
    this.step = "amount";
    this.amount = null;
    this.recheck(now);
  }

  private enter(step: "code" | "member"): void {
    if (this.step === "amount" || this.step === "review") this.back = this.step;
    this.step = step;
    this.codeText = "";
    this.memberDigits = "";
  }

  private leaveEntry(): void {
    this.step = this.back;
    this.codeText = "";
    this.memberDigits = "";
  }

  private knownCoupon(text: string): ScannedCoupon | null {
    try {
      const coupon = parseScan(text);
      return this.ctx.ledger.index()?.codes.has(coupon.code) ? coupon : null;
    } catch (err) {
      if (err instanceof ScanFormatError) return null;
      throw err;
    }
  }
}

/** Parses a scanned or typed coupon reference; a string that is none is refused on screen. */
export function parseCouponOrRefuse(text: string, ctx: Pick<SaleContext, "refuse">): ScannedCoupon | null {
  try {
    return parseScan(text);
  } catch (err) {
    if (!(err instanceof ScanFormatError)) throw err;
    ctx.refuse("not_a_coupon", { text: text.trim() });
    return null;
  }
}

/** "13800138000" -> "*******8000": enough to check with the customer, not enough to reuse. */
export function maskAllButLast4(text: string): string {
  const chars = [...text];
  return "*".repeat(Math.max(0, chars.length - 4)) + chars.slice(-4).join("");
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
