import type { RedeemEntry, VoidEntry } from "../../protocol/journal/index.js";
import { formatMoney } from "../money.js";
import type { Block } from "./blocks.js";
import { receiptLabels } from "./labels.js";
import { amount, endOfReceipt, field, localTime, slipHeader } from "./layout-parts.js";
import { couponLines } from "./layout-redemption.js";
import type { ReceiptContext } from "./model.js";

/** The slip printed when a redemption is voided: which one, its coupons (returned), and why. */
export function layoutVoid(ctx: ReceiptContext, entry: VoidEntry, voided: RedeemEntry): Block[] {
  if (entry.target !== voided.id) {
    throw new RangeError(`void ${entry.id} targets ${entry.target}, not redemption ${voided.id}`);
  }
  const t = receiptLabels(ctx.locale);
  const currency = voided.currency;
  const blocks: Block[] = [
    ...slipHeader(ctx, t, t.voidTitle, entry),
    { kind: "rule" },
    field(t, t.originalRedemption, voided.id),
    field(t, t.originalTime, localTime(voided.at, ctx.timezone)),
    field(t, t.originalCashier, voided.cashier),
    amount(t.bill, voided.amount, currency),
    amount(t.paidBefore, voided.payable, currency),
    { kind: "rule" },
    { kind: "text", text: t.couponsReturned },
    ...voided.lines.flatMap((line) => couponLines(ctx, t, line, currency)),
    { kind: "rule" },
    { kind: "pair", left: t.discountReversed, right: formatMoney(voided.discount, currency), bold: true },
    { kind: "rule" },
  ];
  if (entry.reason) blocks.push(field(t, t.reason, entry.reason));
  blocks.push(field(t, t.voidId, entry.id), ...endOfReceipt());
  return blocks;
}
