import { describe, expect, it } from "vitest";
import type { CouponCode } from "../../../src/protocol/coupon-list/index.js";
import { CodeTable } from "../../../src/runtime/engine/code-table.js";
import {
  MAX_PACKED_USES,
  PackedCodesBuilder,
  PackedCodesError,
  PackedCodeTable,
} from "../../../src/runtime/engine/packed-codes.js";

const MEMBER = "a".repeat(64);
const TOTP = "JBSWY3DPEHPK3PXPJBSWY3DP";

function packed(codes: CouponCode[], campaigns: string[]): PackedCodeTable {
  const b = new PackedCodesBuilder(campaigns);
  for (const c of codes) b.add(c);
  return new PackedCodeTable(b.finish(), campaigns);
}

describe("packed code table", () => {
  const campaigns = Array.from({ length: 300 }, (_, i) => `camp-${i}`);
  const codes: CouponCode[] = [
    { code: "ZZZZ-last", campaign: "camp-299", uses: 1 },
    { code: "MEMB0001", campaign: "camp-1", uses: 2, member: MEMBER },
    { code: "DYN-0001", campaign: "camp-2", uses: 1, totp: TOTP },
    { code: "BIG-0001", campaign: "camp-3", uses: MAX_PACKED_USES + 1 },
    { code: "EDGE0001", campaign: "camp-4", uses: MAX_PACKED_USES },
    { code: "ALL-0001", campaign: "camp-5", uses: 1_000_000, member: MEMBER, totp: TOTP },
    { code: "0000", campaign: "camp-0", uses: 1 },
    { code: `A${"b".repeat(63)}`, campaign: "camp-6", uses: 3 },
  ];
  const table = packed(codes, campaigns);

  it("gives back every field of every code, out of input order", () => {
    expect(table.size).toBe(codes.length);
    for (const c of codes) expect(table.get(c.code)).toEqual(c);
    expect([...table.entries()].map((e) => e.code)).toEqual(codes.map((c) => c.code).sort());
  });

  it("answers the same as the Map-based CodeTable for hits and misses", () => {
    const old = new CodeTable();
    for (const c of codes) old.add(c);
    const probes = [
      ...codes.map((c) => c.code),
      "",
      "UNKNOWN1",
      "memb0001",
      "MEMB000",
      "MEMB00011",
      "EMB0001",
      "ZZZZ-las",
      "ZZZZ-lastt",
      "MÉMB0001",
      "券券券券",
      "\u0000\u0000\u0000\u0000",
      "x".repeat(65),
      "~~~~",
    ];
    for (const p of probes) {
      expect(table.get(p), p).toEqual(old.get(p));
      expect(table.has(p), p).toBe(old.has(p));
    }
  });

  it("an empty table answers misses", () => {
    const empty = packed([], ["c"]);
    expect(empty.size).toBe(0);
    expect(empty.get("ABCD")).toBeUndefined();
  });

  it("refuses duplicate codes and unknown campaigns while building", () => {
    const b = new PackedCodesBuilder(["c"]);
    b.add({ code: "DUP-1", campaign: "c", uses: 1 });
    b.add({ code: "DUP-1", campaign: "c", uses: 2 });
    expect(() => b.finish()).toThrow(/duplicate code "DUP-1"/);
    expect(() => new PackedCodesBuilder(["c"]).add({ code: "X-001", campaign: "nope", uses: 1 })).toThrow(
      PackedCodesError,
    );
  });

  it("refuses sections that do not fit together", () => {
    const b = new PackedCodesBuilder(["c"]);
    b.add({ code: "ABCD", campaign: "c", uses: 1 });
    const s = b.finish();
    expect(() => new PackedCodeTable({ ...s, offsets: new Uint32Array([0, 99]) }, ["c"])).toThrow(/offsets/);
    expect(() => new PackedCodeTable(s, [])).toThrow(/campaign number 0/);
  });

  it("lists the codes of one campaign", () => {
    expect([...table.codesOfCampaign("camp-1")]).toEqual(["MEMB0001"]);
    expect([...table.codesOfCampaign("missing")]).toEqual([]);
  });
});
