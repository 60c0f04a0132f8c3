import type { RedeemEntry, RedemptionLine } from "../../protocol/journal/index.js";
import type { Block } from "./blocks.js";
import { type ReceiptLabels, receiptLabels } from "./labels.js";
import { amount, deduction, endOfReceipt, field, maskCode, slipHeader } from "./layout-parts.js";
import type { ReceiptContext } from "./model.js";

/** The shopper's receipt for one redemption; its QR code holds the redemption id for later look-up. */
export function layoutRedemption(ctx: ReceiptContext, entry: RedeemEntry): Block[] {
  const t = receiptLabels(ctx.locale);
  const currency = entry.currency;
  return [
    ...slipHeader(ctx, t, t.redemptionTitle, entry),
    { kind: "rule" },
    amount(t.bill, entry.amount, currency),
    { kind: "rule" },
    ...entry.lines.flatMap((line) => couponLines(ctx, t, line, currency)),
    { kind: "rule" },
    deduction(t.discount, entry.discount, currency),
    amount(t.toPay, entry.payable, currency, true),
    { kind: "rule" },
    field(t, t.redemptionId, entry.id),
    { kind: "qr", data: entry.id },
    ...endOfReceipt(),
  ];
}

/** One coupon: its campaign and discount, the masked code, and for a gift what was handed over. */
export function couponLines(
  ctx: ReceiptContext,
  t: ReceiptLabels,
  line: RedemptionLine,
  currency: string,
): Block[] {
  const name = ctx.campaignName(line.campaign);
  const blocks: Block[] = [
    line.gift === undefined || line.discount > 0
      ? deduction(name, line.discount, currency)
      : { kind: "pair", left: name, right: "" },
    { kind: "text", text: `${t.code} ${maskCode(line.code)}`, indent: 2 },
  ];
  if (line.gift !== undefined)
    blocks.push({ kind: "text", text: `${t.gift}${t.colon}${line.gift}`, indent: 2 });
  return blocks;
}
