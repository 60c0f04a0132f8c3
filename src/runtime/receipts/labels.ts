import type { ReceiptLocale } from "./model.js";

/** Every fixed word printed on a receipt, per locale. The report names are also the screens' (one name). */
export interface ReceiptLabels {
  redemptionTitle: string;
  voidTitle: string;
  shiftReportTitle: string;
  dayReportTitle: string;
  store: string;
  terminal: string;
  cashier: string;
  time: string;
  bill: string;
  code: string;
  gift: string;
  discount: string;
  toPay: string;
  redemptionId: string;
  originalRedemption: string;
  originalTime: string;
  originalCashier: string;
  couponsReturned: string;
  discountReversed: string;
  paidBefore: string;
  reason: string;
  voidId: string;
  from: string;
  to: string;
  noRedemptions: string;
  /** Open conflicts on this till's redemptions, flagged by the merchant. */
  conflicts: (n: number) => string;
  /** The period's redemptions as they happened (before voids). */
  redeemed: string;
  voids: string;
  /** The discount a void gave back (the shop did not give it after all). */
  discountReturned: string;
  /** Redemptions left after voids. */
  netRedemptions: string;
  billTotal: string;
  discountTotal: string;
  toPayTotal: string;
  /** A Z's number. */
  zNumber: string;
  /** "3笔" / "x3": a count of redemptions. */
  count(n: number): string;
  /** Separator between a field name and its value. */
  colon: string;
}

const zh: ReceiptLabels = {
  redemptionTitle: "券核销凭证",
  voidTitle: "撤销凭证",
  shiftReportTitle: "交班报表(X)",
  dayReportTitle: "日结报表(Z)",
  store: "门店",
  terminal: "终端",
  cashier: "收银员",
  time: "时间",
  bill: "消费金额",
  code: "券码",
  gift: "赠品",
  discount: "优惠",
  toPay: "实付",
  redemptionId: "核销单号",
  originalRedemption: "原核销单号",
  originalTime: "原核销时间",
  originalCashier: "原收银员",
  couponsReturned: "退回的券",
  discountReversed: "撤销优惠",
  paidBefore: "原实付",
  reason: "原因",
  voidId: "撤销单号",
  from: "从",
  to: "至",
  noRedemptions: "无核销记录",
  conflicts: (n) => `核销冲突 ${n} 笔，请与商户核对`,
  redeemed: "核销",
  voids: "撤销",
  discountReturned: "退回优惠",
  netRedemptions: "净核销",
  billTotal: "消费合计",
  discountTotal: "优惠合计",
  toPayTotal: "实付合计",
  zNumber: "日结号",
  count: (n) => `${n}笔`,
  colon: "：",
};

const en: ReceiptLabels = {
  redemptionTitle: "Coupon redemption",
  voidTitle: "VOID",
  shiftReportTitle: "Shift report (X)",
  dayReportTitle: "End-of-day report (Z)",
  store: "Store",
  terminal: "Terminal",
  cashier: "Cashier",
  time: "Time",
  bill: "Bill",
  code: "Code",
  gift: "Gift",
  discount: "Discount",
  toPay: "To pay",
  redemptionId: "Redemption id",
  originalRedemption: "Redemption",
  originalTime: "Redeemed at",
  originalCashier: "Redeemed by",
  couponsReturned: "Coupons returned",
  discountReversed: "Discount reversed",
  paidBefore: "Was paid",
  reason: "Reason",
  voidId: "Void id",
  from: "From",
  to: "To",
  noRedemptions: "No redemptions",
  conflicts: (n) => `${n} conflict${n === 1 ? "" : "s"}: check with the merchant`,
  redeemed: "Redeemed",
  voids: "Voided",
  discountReturned: "Discount given back",
  netRedemptions: "Net redemptions",
  billTotal: "Bills",
  discountTotal: "Discounts",
  toPayTotal: "Paid",
  zNumber: "Z No.",
  count: (n) => `x${n}`,
  colon: ": ",
};

export function receiptLabels(locale: ReceiptLocale): ReceiptLabels {
  return locale === "zh-CN" ? zh : en;
}

/** "交班报表(X)" / "日结报表(Z)": the one name of a report, on the menu, the screen and the slip. */
export function reportName(kind: "X" | "Z", locale: ReceiptLocale): string {
  const t = receiptLabels(locale);
  return kind === "X" ? t.shiftReportTitle : t.dayReportTitle;
}
