import type { RedeemEntry } from "../../protocol/journal/index.js";
import type { CouponIndex } from "../engine/coupon-index.js";
import { minimumSpend } from "../engine/discount.js";
import { type Locale, localize, offerLabel } from "../engine/labels.js";
import type { Verdict } from "../engine/verdict.js";
import { formatMoney } from "../money.js";
import { formatLocalDateTime } from "../time/zoned.js";
import type { CouponLineView, ReasonDetail, ReceiptView } from "./view.js";

/** How list texts, money and dates are shown: the flow's locale, the list's currency and timezone. */
export interface Presentation {
  locale: Locale;
  currency: string;
  timezone: string;
}

/** One verdict as the cashier reads it. `priced`: the bill is confirmed, so discounts are real. */
export function couponLineView(verdict: Verdict, priced: boolean, p: Presentation): CouponLineView {
  const line: CouponLineView = { code: verdict.code, ok: verdict.ok };
  const campaign = verdict.campaign;
  if (campaign) {
    line.name = localize(campaign.name, p.locale);
    line.offer = offerLabel(campaign, p.locale, p.currency);
    if (campaign.kind === "gift") line.gift = localize(campaign.gift, p.locale);
  }
  if (verdict.ok) {
    if (priced) line.discount = verdict.discount;
    return line;
  }
  line.reason = verdict.reason;
  const detail: ReasonDetail = {};
  if (campaign) {
    if (verdict.reason === "min_spend") detail.minSpend = formatMoney(minimumSpend(campaign), p.currency);
    if (verdict.reason === "not_yet_valid" && campaign.validFromMs !== undefined)
      detail.validFrom = localMinute(campaign.validFromMs, p.timezone);
    if (verdict.reason === "expired" && campaign.validUntilMs !== undefined)
      detail.validUntil = localMinute(campaign.validUntilMs, p.timezone);
    if (verdict.reason === "outside_hours" && campaign.hours) detail.hours = campaign.hours.join(", ");
  }
  if (verdict.lastUse) {
    detail.lastUse = {
      at: localMinute(Date.parse(verdict.lastUse.at), p.timezone),
      store: verdict.lastUse.store,
      terminal: verdict.lastUse.terminal,
    };
  }
  if (Object.keys(detail).length > 0) line.detail = detail;
  return line;
}

/** A committed redemption, its coupons named from the list in force when it still has them. */
export function receiptView(entry: RedeemEntry, index: CouponIndex | null, p: Presentation): ReceiptView {
  return {
    id: entry.id,
    at: formatLocalDateTime(Date.parse(entry.at), p.timezone),
    amount: entry.amount,
    discount: entry.discount,
    payable: entry.payable,
    member: entry.member !== undefined,
    lines: entry.lines.map((l) => {
      const campaign = index?.campaigns.get(l.campaign);
      const line: CouponLineView = { code: l.code, ok: true, discount: l.discount };
      if (campaign) {
        line.name = localize(campaign.name, p.locale);
        line.offer = offerLabel(campaign, p.locale, p.currency);
      }
      if (campaign?.kind === "gift") line.gift = localize(campaign.gift, p.locale);
      else if (l.gift !== undefined) line.gift = l.gift;
      return line;
    }),
  };
}

function localMinute(epochMs: number, timezone: string): string {
  return formatLocalDateTime(epochMs, timezone).slice(0, 16);
}
