import {
  type CouponList,
  type CouponListInput,
  couponListSchema,
} from "../../src/protocol/coupon-list/index.js";
import { buildCouponIndex, type CouponIndex } from "../../src/runtime/engine/coupon-index.js";
import type { TerminalContext } from "../../src/runtime/engine/validate.js";

export const SALT = "test-salt-0123456789";
export const TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP";

type CampaignInput = CouponListInput["campaigns"][number];
type CodeInput = CouponListInput["codes"][number];

/** A coupon list with the given campaigns and codes, passed through the real schema (defaults applied). */
export function couponList(
  campaigns: CampaignInput[],
  codes: CodeInput[],
  extra: Partial<CouponListInput> = {},
): CouponList {
  return couponListSchema.parse({
    format: "quan.coupons/1",
    merchant: "m-test",
    version: 1,
    issuedAt: "2026-01-01T00:00:00Z",
    timezone: "Asia/Shanghai",
    currency: "CNY",
    memberSalt: SALT,
    campaigns,
    codes,
    ...extra,
  });
}

export function indexOf(
  campaigns: CampaignInput[],
  codes: CodeInput[],
  extra: Partial<CouponListInput> = {},
): CouponIndex {
  return buildCouponIndex(couponList(campaigns, codes, extra));
}

export const ctx: TerminalContext = {
  store: "S1",
  terminal: "T1",
  trustedTime: Date.parse("2026-01-01T00:00:00Z"),
  clockToleranceMs: 5 * 60_000,
};

export const at = (iso: string) => Date.parse(iso);
