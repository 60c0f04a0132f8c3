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
