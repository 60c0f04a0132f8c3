import type { FlowView, ReceiptView } from "../../runtime/flow/view.js";
import { type Block, block, line } from "../layout.js";
import { t } from "../messages.js";
import { couponBlocks } from "./coupon-lines.js";
import { money, row, type ScreenOptions } from "./frame.js";

/**
 * A committed redemption: bill, discount, paid, its coupons and its reference. A voided one says so
 * and lists its coupons as given back, never as accepted ("OK").
 */
export function receiptBlocks(
  receipt: ReceiptView,
  view: FlowView,
  o: ScreenOptions,
  skipPayable = false,
): Block[] {
  const blocks: Block[] = [];
  if (receipt.voided) blocks.push(block(0, line(t(o.locale, "done.voided_receipt"), "warning")));
  blocks.push(
    block(1, row(t(o.locale, "sale.amount"), money(receipt.amount, view), o)),
    block(
      1,
      row(
        t(o.locale, "sale.discount"),
        receipt.discount > 0 ? `-${money(receipt.discount, view)}` : money(0, view),
        o,
      ),
    ),
  );
  if (!skipPayable)
    blocks.push(block(0, row(t(o.locale, "sale.payable"), money(receipt.payable, view), o, "strong")));
  for (const coupon of receipt.lines) {
    if (receipt.voided) {
      const right = coupon.discount ? money(coupon.discount, view) : "";
      blocks.push(
        block(2, row(`↩ ${coupon.code}${coupon.offer ? ` ${coupon.offer}` : ""}`, right, o, "dim")),
      );
      continue;
    }
    for (const b of couponBlocks(coupon, view, o)) blocks.push({ ...b, priority: b.priority + 2 });
  }
  blocks.push(block(3, row(t(o.locale, "approved.ref"), receipt.id, o, "dim")));
  blocks.push(block(3, row("", receipt.at, o, "dim")));
  return blocks;
}
