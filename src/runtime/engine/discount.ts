import { divideRounded } from "../money.js";
import type { CompiledCampaign } from "./coupon-index.js";

/** The minimum the running payable must reach for the campaign to apply. */
export function minimumSpend(c: CompiledCampaign): number {
  const threshold = c.kind === "threshold" ? c.threshold : 0;
  return Math.max(c.minSpend ?? 0, threshold);
}

/** Discount a campaign gives on `payable` minor units; never more than `payable`. */
export function discountFor(c: CompiledCampaign, payable: number): number {
  let discount: number;
  switch (c.kind) {
    case "percent":
      discount = divideRounded(payable * (c.basisPoints ?? 0), 10_000, c.rounding);
      if (c.maxOff !== undefined) discount = Math.min(discount, c.maxOff);
      break;
    case "amount":
      discount = c.amountOff;
      break;
    case "threshold": {
      const times = c.repeat ? Math.floor(payable / c.threshold) : payable >= c.threshold ? 1 : 0;
      discount = times * c.off;
      if (c.maxOff !== undefined) discount = Math.min(discount, c.maxOff);
      break;
    }
    case "gift":
      discount = 0;
      break;
  }
  return Math.max(0, Math.min(discount, payable));
}
