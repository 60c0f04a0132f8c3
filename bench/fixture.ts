import type { CouponListInput } from "../src/protocol/coupon-list/index.js";

/** A realistic big list: a handful of campaigns of every kind, `count` single-use codes. */
export function bigList(count: number, version = 1): CouponListInput {
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
    version,
    issuedAt: new Date(Date.parse("2026-01-01T00:00:00Z") + (version - 1) * 86_400_000).toISOString(),
    timezone: "Asia/Shanghai",
    currency: "CNY",
    memberSalt: "bench-salt-0123456789",
    campaigns,
    codes,
  };
}

export const CODE_BYTES = 12;
export const benchCode = (i: number) => `Q${String(i).padStart(11, "0")}`;

/**
 * The k-th code whose campaign redeems at any hour: every fifth code is the lunch deal (i % 5 === 3),
 * which refuses outside its hours and would make commit benches depend on the time of day.
 */
export const anytimeCode = (k: number) => benchCode(Math.floor(k / 4) * 5 + ([0, 1, 2, 4][k % 4] as number));

/** The same codes packed as a sorted table of fixed-width ASCII (the start-up and look-up baseline). */
export function sortedCodeTable(count: number): Buffer {
  const table = Buffer.alloc(count * CODE_BYTES);
  for (let i = 0; i < count; i++) table.write(benchCode(i), i * CODE_BYTES, "latin1");
  return table;
}
