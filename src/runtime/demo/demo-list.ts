import type { CouponListInput } from "../../protocol/coupon-list/index.js";
import { hashMember } from "../coupons/member-hash.js";

/**
 * The demo list, defined once: `npm start` signs it, the flow and terminal tests trade on it, and
 * the bench spreads its campaigns over a million generated codes.
 */
export const DEMO_MERCHANT = "demo-merchant";
export const DEMO_MEMBER_PHONE = "13800138000";
export const DEMO_MEMBER_SALT = "demo-member-salt-2026";

type Campaign = CouponListInput["campaigns"][number];
type Code = CouponListInput["codes"][number];

export interface DemoCode {
  code: string;
  what: { zh: string; en: string };
}

/** The codes printed at start so a newcomer can try each kind of coupon and each kind of refusal. */
export const DEMO_CODES: DemoCode[] = [
  { code: "88000001", what: { zh: "8折，可叠加", en: "20% off, stackable" } },
  { code: "88000002", what: { zh: "8折，可叠加", en: "20% off, stackable" } },
  { code: "66000001", what: { zh: "10元代金券，可叠加", en: "￥10 voucher, stackable" } },
  { code: "50000001", what: { zh: "满100减20（不可叠加）", en: "￥20 off over ￥100 (not stackable)" } },
  { code: "77000001", what: { zh: "兑换：柠檬茶", en: "Gift: lemon tea" } },
  {
    code: "99000001",
    what: { zh: `会员券（手机 ${DEMO_MEMBER_PHONE}）`, en: `member coupon (phone ${DEMO_MEMBER_PHONE})` },
  },
  { code: "44000001", what: { zh: "已过期", en: "expired" } },
];

/**
 * The demo list as issued a minute before `nowMs`. `merchant` and `codes` replace the demo's own
 * (the bench's generated codes over the same campaigns).
 */
export function demoList(
  nowMs: number,
  version: number,
  opts: { merchant?: string; codes?: Code[] } = {},
): CouponListInput {
  return {
    format: "quan.coupons/1",
    merchant: opts.merchant ?? DEMO_MERCHANT,
    version,
    issuedAt: new Date(nowMs - 60_000).toISOString(),
    timezone: "Asia/Shanghai",
    currency: "CNY",
    memberSalt: DEMO_MEMBER_SALT,
    campaigns: demoCampaigns(nowMs),
    codes: opts.codes ?? demoCodes(),
  };
}

/** The demo's campaigns: one of each kind, a member-bound one, and one that ended the day before `nowMs`. */
export function demoCampaigns(nowMs: number): Campaign[] {
  const day = 86_400_000;
  return [
    {
      id: "pct20",
      name: { zh: "全场8折", en: "20% off" },
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
      id: "thr100",
      name: { zh: "满100减20", en: "￥20 off ￥100" },
      kind: "threshold",
      threshold: 10000,
      off: 2000,
    },
    {
      id: "tea",
      name: { zh: "饮品兑换券", en: "Drink voucher" },
      kind: "gift",
      gift: { zh: "柠檬茶", en: "Lemon tea" },
    },
    {
      id: "member15",
      name: { zh: "会员85折", en: "Members 15% off" },
      kind: "percent",
      percentOff: 15,
      perMember: 1,
    },
    {
      id: "old",
      name: { zh: "过期活动", en: "Old promotion" },
      kind: "amount",
      amountOff: 500,
      validFrom: new Date(nowMs - 30 * day).toISOString(),
      validUntil: new Date(nowMs - day).toISOString(),
    },
  ];
}

/** The demo's codes (those of DEMO_CODES, with their campaigns). */
export function demoCodes(): Code[] {
  return [
    { code: "88000001", campaign: "pct20" },
    { code: "88000002", campaign: "pct20" },
    { code: "66000001", campaign: "cash10" },
    { code: "50000001", campaign: "thr100" },
    { code: "77000001", campaign: "tea" },
    { code: "99000001", campaign: "member15", member: hashMember(DEMO_MEMBER_SALT, DEMO_MEMBER_PHONE) },
    { code: "44000001", campaign: "old" },
  ];
}
