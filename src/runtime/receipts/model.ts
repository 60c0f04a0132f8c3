/**
 * What the receipt layouts are given. Amounts are integer minor units; instants are ISO 8601 strings
 * and are printed in the store's timezone.
 */

export type ReceiptLocale = "zh-CN" | "en";

/** Characters per line of Font A: 58 mm paper = 32, 80 mm = 48. */
export type PaperColumns = 32 | 48;

export interface ReceiptContext {
  storeName: string;
  terminal: string;
  locale: ReceiptLocale;
  /** IANA zone, e.g. "Asia/Shanghai": every time on a receipt is printed in it. */
  timezone: string;
  currency: string;
  width: PaperColumns;
  /** The campaign's display name in `locale`. */
  campaignName(id: string): string;
}

export interface ShiftReportRow {
  /** Campaign id. */
  campaign: string;
  count: number;
  discount: number;
  /** Bills (before discount) of the redemptions that used this campaign. */
  amount: number;
}

/** Count and sums of a set of redemptions, minor units. */
export interface ReportFigures {
  count: number;
  amount: number;
  discount: number;
  payable: number;
}

/**
 * X = shift report (the till stays open), Z = end of day. Built from the journal by the caller.
 * `redeemed` - `voids` = `totals`: what was redeemed in the period, what voids in the period gave
 * back, and what the shop really gave.
 */
export interface ShiftReport {
  kind: "X" | "Z";
  /** The Z's number (a Z only). */
  no?: number;
  /** ISO instants bounding the period. */
  from: string;
  to: string;
  terminal: string;
  rows: ShiftReportRow[];
  redeemed: ReportFigures;
  /** The redemptions voided in the period (some may have been redeemed before it). */
  voids: ReportFigures;
  totals: ReportFigures;
}
