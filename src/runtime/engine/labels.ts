import type { Localized } from "../../protocol/coupon-list/index.js";
import { formatMajor, formatMoney } from "../money.js";
import type { CompiledCampaign } from "./coupon-index.js";

export type Locale = "zh-CN" | "en";

export function localize(text: Localized, locale: Locale): string {
  if (typeof text === "string") return text;
  return (locale === "zh-CN" ? (text.zh ?? text.en) : (text.en ?? text.zh)) ?? "";
}

/**
 * What the offer is, in the shopper's words: "8折" / "20% off", "满100减20" / "￥20.00 off over ￥100.00".
 * In Chinese, a percent discount is stated as the share paid: 20% off is 8折, 15% off is 8.5折.
 */
export function offerLabel(c: CompiledCampaign, locale: Locale, currency: string): string {
  const zh = locale === "zh-CN";
  switch (c.kind) {
    case "percent": {
      const basisPoints = Math.round(c.percentOff * 100);
      const zhe = trimZeros(formatMajor(10_000 - basisPoints, 3));
      const cap =
        c.maxOff !== undefined
          ? zh
            ? `，最高减${formatMoney(c.maxOff, currency)}`
            : `, up to ${formatMoney(c.maxOff, currency)}`
          : "";
      return zh ? `${zhe}折${cap}` : `${trimZeros(formatMajor(basisPoints, 2))}% off${cap}`;
    }
    case "amount":
      return zh ? `立减${formatMoney(c.amountOff, currency)}` : `${formatMoney(c.amountOff, currency)} off`;
    case "threshold": {
      const t = formatMoney(c.threshold, currency);
      const o = formatMoney(c.off, currency);
      const cap =
        c.maxOff !== undefined
          ? zh
            ? `，最高减${formatMoney(c.maxOff, currency)}`
            : `, up to ${formatMoney(c.maxOff, currency)}`
          : "";
      if (zh) return `${c.repeat ? "每" : ""}满${t}减${o}${cap}`;
      return `${o} off ${c.repeat ? "every" : "over"} ${t}${cap}`;
    }
    case "gift":
      return zh ? `兑换：${localize(c.gift, locale)}` : `Gift: ${localize(c.gift, locale)}`;
  }
}

function trimZeros(n: string): string {
  return n.includes(".") ? n.replace(/0+$/, "").replace(/\.$/, "") : n;
}
