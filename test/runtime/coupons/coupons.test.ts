import { describe, expect, it } from "vitest";
import { hashMember, normalizeMemberId } from "../../../src/runtime/coupons/member-hash.js";
import { parseScan } from "../../../src/runtime/coupons/scan-payload.js";
import { decodeBase32, encodeBase32, hotp, matchTotp, totpAt } from "../../../src/runtime/coupons/totp.js";
import { buildCouponIndex } from "../../../src/runtime/engine/coupon-index.js";
import { offerLabel } from "../../../src/runtime/engine/labels.js";
import { couponList } from "../../helpers/coupon-fixtures.js";

describe("TOTP (RFC 6238 appendix B vectors, SHA-1, 8 digits)", () => {
  const secret = new TextEncoder().encode("12345678901234567890");
  it.each([
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ])("T=%s -> %s", (seconds, token) => {
    expect(totpAt(secret, seconds * 1000, 8)).toBe(token);
  });
  it("HOTP counter 0 (RFC 4226) and base32 round trip", () => {
    expect(hotp(secret, 0)).toBe("755224");
    expect(encodeBase32(decodeBase32("JBSWY3DPEHPK3PXP"))).toBe("JBSWY3DPEHPK3PXP");
  });
  it("rejects tokens of the wrong shape", () => {
    expect(matchTotp(secret, "12345", 59_000)).toBeUndefined();
    expect(matchTotp(secret, "abcdef", 59_000)).toBeUndefined();
  });
});

describe("member ids are hashed, phone numbers normalised first", () => {
  it.each(["13800138000", "138 0013 8000", "+86 138-0013-8000", "8613800138000"])("%s", (raw) => {
    expect(normalizeMemberId(raw)).toBe("13800138000");
    expect(hashMember("salt-salt-salt-salt", raw)).toBe(hashMember("salt-salt-salt-salt", "13800138000"));
  });
  it("a different salt gives a different hash; the hash hides the number", () => {
    const h = hashMember("salt-one-0000000000", "13800138000");
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toBe(hashMember("salt-two-0000000000", "13800138000"));
  });
});

describe("scanned strings", () => {
  it("plain and dynamic codes", () => {
    expect(parseScan("88000001")).toEqual({ code: "88000001" });
    expect(parseScan(" DYN-A*123456 ")).toEqual({ code: "DYN-A", token: "123456" });
  });
  it.each([
    "",
    "abc",
    "x".repeat(65),
    "DROP TABLE;",
    "https://evil.example/?a=1",
    "CODE*12",
    "CODE*abcdef",
    "\u0000\u0001\u0002\u0003",
  ])("refuses %j with a clear message", (raw) => {
    expect(() => parseScan(raw)).toThrow(/coupon code|dynamic token/);
  });
});

describe("offer labels", () => {
  const index = buildCouponIndex(
    couponList(
      [
        { id: "p20", name: "p", kind: "percent", percentOff: 20 },
        { id: "p15", name: "p", kind: "percent", percentOff: 15 },
        { id: "p125", name: "p", kind: "percent", percentOff: 12.5, maxOff: 3000 },
        { id: "a", name: "a", kind: "amount", amountOff: 1000 },
        { id: "t", name: "t", kind: "threshold", threshold: 10000, off: 2000, repeat: true },
        { id: "g", name: "g", kind: "gift", gift: { zh: "咖啡", en: "Coffee" } },
      ],
      [],
    ),
  );
  it.each([
    ["p20", "8折", "20% off"],
    ["p15", "8.5折", "15% off"],
    ["p125", "8.75折，最高减￥30.00", "12.5% off, up to ￥30.00"],
    ["a", "立减￥10.00", "￥10.00 off"],
    ["t", "每满￥100.00减￥20.00", "￥20.00 off every ￥100.00"],
    ["g", "兑换：咖啡", "Gift: Coffee"],
  ])("%s: %s / %s", (id, zh, en) => {
    const c = index.campaigns.get(id);
    if (!c) throw new Error(id);
    expect(offerLabel(c, "zh-CN", "CNY")).toBe(zh);
    expect(offerLabel(c, "en", "CNY")).toBe(en);
  });
});

describe("the compact code table", () => {
  it("gives back every field it was given", async () => {
    const { CodeTable } = await import("../../../src/runtime/engine/code-table.js");
    const table = new CodeTable();
    const codes = [
      { code: "A-0001", campaign: "c1", uses: 1 },
      { code: "B-0001", campaign: "c2", uses: 3, member: "f".repeat(64) },
      { code: "C-0001", campaign: "c1", uses: 1, totp: "JBSWY3DPEHPK3PXP" },
      { code: "D-0001", campaign: "c3", uses: 5_000_000 },
      { code: "E-0001", campaign: "c2", uses: CodeTable.MAX_PACKED_USES - 1 },
    ];
    for (const c of codes) table.add(c);
    for (const c of codes) expect(table.get(c.code)).toEqual(c);
    expect(table.get("Z-0001")).toBeUndefined();
    expect(table.size).toBe(5);
  });
});
