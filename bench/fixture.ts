import type { CouponListInput } from "../src/protocol/coupon-list/index.js";

/** A realistic big list: a handful of campaigns of every kind, `count` single-use codes. */
export function bigList(count: number): CouponListInput {
  const campaigns: CouponListInput["campaigns"] = [
    {
      id: "pct20",
      name: { zh: "全场八折", en: "20% off" },
      kind: "percent",
      percentOff: 20,
      maxOff: 5000,
      stackable: true,
    },
    {
      id: "cash10",
      name: { zh: "10元代金券", en: "￥10 voucher" },
      kind: "amount",
      amountOff: 1000,
      stackable: true,
    },
    {
      id: "thr",
      name: { zh: "满100减20", en: "￥20 off ￥100" },
      kind: "threshold",
      threshold: 10000,
      off: 2000,
      repeat: true,
      maxOff: 6000,
    },
    {
      id: "lunch",
      name: { zh: "午市特惠", en: "Lunch deal" },
      kind: "amount",
      amountOff: 500,
      weekdays: [1, 2, 3, 4, 5],
      hours: ["11:00-14:00", "17:00-21:00"],
      validFrom: "2026-01-01T00:00:00+08:00",
      validUntil: "2027-12-31T00:00:00+08:00",
    },
    {
      id: "gift",
      name: { zh: "免费饮品", en: "Free drink" },
      kind: "gift",
      gift: { zh: "柠檬茶", en: "Lemon tea" },
    },
  ];
  const ids = campaigns.map((c) => c.id);
  const codes: CouponListInput["codes"] = new Array(count);
  for (let i = 0; i < count; i++) codes[i] = { code: benchCode(i), campaign: ids[i % ids.length] as string };
  return {
    format: "quan.coupons/1",
    merchant: "m-bench",
    version: 1,
    issuedAt: "2026-01-01T00:00:00Z",
    timezone: "Asia/Shanghai",
    currency: "CNY",
    memberSalt: "bench-salt-0123456789",
    campaigns,
    codes,
  };
}

export const benchCode = (i: number) => `Q${String(i).padStart(11, "0")}`;
