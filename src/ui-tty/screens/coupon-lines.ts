import type { CouponLineView, FlowView } from "../../runtime/flow/view.js";
import { spreadOnScreen } from "../../runtime/text/fit.js";
import { type Block, block, line } from "../layout.js";
import { t } from "../messages.js";
import { money, type ScreenOptions } from "./frame.js";

/** The refusal in the cashier's words: "已使用", "未达最低消费 ￥50.00". */
export function reasonText(coupon: CouponLineView, o: ScreenOptions): string {
  if (!coupon.reason) return "";
  return t(o.locale, `reason.${coupon.reason}`, { min: coupon.detail?.minSpend ?? "" });
}

/** When and where it was used, until when it was valid, ...: the second row of a refusal. */
export function reasonDetail(coupon: CouponLineView, o: ScreenOptions): string | null {
  const d = coupon.detail;
  if (!d) return null;
  if (d.lastUse) return t(o.locale, "detail.last_use", d.lastUse);
  if (d.validFrom) return t(o.locale, "detail.valid_from", { from: d.validFrom });
  if (d.validUntil) return t(o.locale, "detail.valid_until", { until: d.validUntil });
  if (d.hours) return t(o.locale, "detail.hours", { hours: d.hours });
  return null;
}

/**
 * One coupon: a first row that is always kept ("OK CODE 8折 ... -￥25.70", or "× CODE ... 已使用")
 * and a second row, dropped first on small screens (campaign name, gift, or when/where used).
 */
export function couponBlocks(coupon: CouponLineView, view: FlowView, o: ScreenOptions): Block[] {
  const blocks: Block[] = [];
  if (coupon.ok) {
    const left = `OK ${coupon.code}${coupon.offer ? ` ${coupon.offer}` : ""}`;
    const right =
      coupon.discount !== undefined && coupon.discount > 0 ? `-${money(coupon.discount, view)}` : "";
    blocks.push(block(0, line(spreadOnScreen(left, right, o.cols))));
    const second = coupon.gift ? t(o.locale, "sale.gift", { gift: coupon.gift }) : coupon.name;
    if (second) blocks.push(block(2, line(`   ${second}`, "dim")));
    return blocks;
  }
  blocks.push(block(0, line(spreadOnScreen(`×  ${coupon.code}`, reasonText(coupon, o), o.cols), "error")));
  const detail = reasonDetail(coupon, o) ?? coupon.name;
  if (detail) blocks.push(block(2, line(`   ${detail}`)));
  return blocks;
}
