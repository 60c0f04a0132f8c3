import type { FlowView, ReceiptView } from "../../runtime/flow/view.js";
import { type Block, block } from "../layout.js";
import { t } from "../messages.js";
import { couponBlocks } from "./coupon-lines.js";
import { money, row, type ScreenOptions } from "./frame.js";

/** A committed redemption: bill, discount, paid, its coupons and its reference. */
export function receiptBlocks(
  receipt: ReceiptView,
  view: FlowView,
  o: ScreenOptions,
  skipPayable = false,
): Block[] {
  const blocks: Block[] = [
    block(1, row(t(o.locale, "sale.amount"), money(receipt.amount, view), o)),
    block(
      1,
      row(
        t(o.locale, "sale.discount"),
        receipt.discount > 0 ? `-${money(receipt.discount, view)}` : money(0, view),
        o,
      ),
    ),
  ];
  if (!skipPayable)
    blocks.push(block(0, row(t(o.locale, "sale.payable"), money(receipt.payable, view), o, "strong")));
  for (const coupon of receipt.lines) {
    for (const b of couponBlocks(coupon, view, o)) blocks.push({ ...b, priority: b.priority + 2 });
  }
  blocks.push(block(3, row(t(o.locale, "approved.ref"), receipt.id, o, "dim")));
  blocks.push(block(3, row("", receipt.at, o, "dim")));
  return blocks;
}
