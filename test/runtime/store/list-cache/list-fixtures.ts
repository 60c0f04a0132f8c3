import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CouponListInput, ListDeltaInput } from "../../../../src/protocol/coupon-list/index.js";
import { generateMerchantKeys, signDocument } from "../../../../src/protocol/envelope/index.js";

export const KEYS = generateMerchantKeys();
export const OTHER_KEYS = generateMerchantKeys();
export const PINNED = { id: "m-test", publicKey: KEYS.publicKey };

export function tempDir(): string {
  return join(mkdtempSync(join(tmpdir(), "quan-list-cache-")), "list");
}

export function listDoc(
  version: number,
  codes: CouponListInput["codes"],
  extra: Partial<CouponListInput> = {},
) {
  const list: CouponListInput = {
    format: "quan.coupons/1",
    merchant: "m-test",
    version,
    issuedAt: `2026-01-0${Math.min(version, 9)}T00:00:00Z`,
    timezone: "Asia/Shanghai",
    currency: "CNY",
    memberSalt: "test-salt-0123456789",
    campaigns: [
      { id: "pct", name: { zh: "全场八折", en: "20% off" }, kind: "percent", percentOff: 20 },
      { id: "cash", name: "￥10 voucher", kind: "amount", amountOff: 1000 },
    ],
    codes,
    ...extra,
  };
  return JSON.stringify(list);
}

/** The signed envelope as the bytes of a file. */
export function signed(documentJson: string, privateKeyPem = KEYS.privateKeyPem): Buffer {
  return Buffer.from(JSON.stringify(signDocument(documentJson, privateKeyPem)), "utf8");
}

export function deltaDoc(
  d: Omit<ListDeltaInput, "format" | "merchant" | "issuedAt"> & Partial<ListDeltaInput>,
) {
  return JSON.stringify({
    format: "quan.coupons-delta/1",
    merchant: "m-test",
    issuedAt: "2026-02-01T00:00:00Z",
    ...d,
  });
}
