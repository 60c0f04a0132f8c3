import { formatMoney } from "../money.js";
import { formatLocalDateTime } from "../time/zoned.js";
import type { Block, PairBlock, TextBlock } from "./blocks.js";
import type { ReceiptLabels } from "./labels.js";
import type { ReceiptContext } from "./model.js";

/** Pieces every receipt layout is made of. */

export function title(text: string): TextBlock {
  return { kind: "text", text, align: "center", bold: true, double: true };
}

/** "门店：人民广场店" / "Store: People's Square", wrapping under itself when long. */
export function field(labels: ReceiptLabels, name: string, value: string): TextBlock {
  return { kind: "text", text: `${name}${labels.colon}${value}` };
}

export function amount(left: string, minor: number, currency: string, bold = false): PairBlock {
  return { kind: "pair", left, right: formatMoney(minor, currency), bold };
}

/** A discount as the shopper reads it: "-￥20.00" (formatMoney alone would give "￥-20.00"). */
export function deduction(left: string, minor: number, currency: string, indent = 0): PairBlock {
  const sign = minor > 0 ? "-" : "";
  return { kind: "pair", left, right: `${sign}${formatMoney(minor, currency)}`, indent };
}

/** "2026-11-22 18:30:05" in the store's zone. */
export function localTime(iso: string, timezone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`"${iso}" is not an ISO instant`);
  return formatLocalDateTime(ms, timezone);
}

/**
 * "****1234": the last 4 characters of a coupon code, never more than half of it, and at most 8
 * stars so that a 64-character code does not fill the receipt nor give away its length.
 */
export function maskCode(code: string): string {
  const shown = Math.min(4, Math.floor(code.length / 2));
  return "*".repeat(Math.min(8, code.length - shown)) + code.slice(code.length - shown);
}

/**
 * Paper past the last line, then the cut. The cut command itself feeds to the cutter first; the
 * explicit feed is for clones that cut at once, which would otherwise cut through the last lines.
 */
export function endOfReceipt(): Block[] {
  return [{ kind: "feed", lines: 3 }, { kind: "cut" }];
}

/** Title, then where, who and when: the head of every slip that records one event. */
export function slipHeader(
  ctx: ReceiptContext,
  t: ReceiptLabels,
  titleText: string,
  event: { terminal: string; cashier: string; at: string },
): Block[] {
  return [
    title(titleText),
    { kind: "feed", lines: 1 },
    field(t, t.store, ctx.storeName),
    field(t, t.terminal, event.terminal),
    field(t, t.cashier, event.cashier),
    field(t, t.time, localTime(event.at, ctx.timezone)),
  ];
}
