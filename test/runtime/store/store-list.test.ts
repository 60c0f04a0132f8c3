import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CouponListError } from "../../../src/protocol/coupon-list/index.js";
import { signDocument } from "../../../src/protocol/envelope/index.js";
import { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import { prepareListImport } from "../../../src/runtime/store/list-cache/list-cache.js";
import { at } from "../../helpers/coupon-fixtures.js";
import { listCacheSnapshot, makeStore, type StoreFixture } from "../../helpers/store-fixture.js";

const NOW = at("2026-03-04T04:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000 }];
const codes = [
  { code: "CASH-0001", campaign: "cash" },
  { code: "CASH-0002", campaign: "cash" },
];
const basket = (code: string) => ({ amount: 5000, coupons: [{ code }] });
const reason = (f: StoreFixture, code: string) => {
  const line = f.store.check(basket(code), NOW).lines[0] as { ok: boolean; reason?: string };
  return line.ok ? "ok" : line.reason;
};

let fx: StoreFixture;
afterEach(() => fx?.cleanup());

describe("an import in two steps: heavy (worker-safe) then commit", () => {
  it("the old list serves until the commit, then the new one; the heavy step touches no store state", () => {
    fx = makeStore(campaigns, codes);
    const v2 = Buffer.from(fx.signList(campaigns, [{ code: "NEW-0001", campaign: "cash" }], { version: 2 }));
    const before = listCacheSnapshot(fx.dir);
    const { dir, pinned, inForce } = fx.store.listImportTarget();
    const prepared = prepareListImport(dir, v2, pinned, inForce);
    expect(prepared).toMatchObject({ status: "prepared", version: 2, codes: 1 });
    // Prepared beside the table (temp files), nothing the list in force reads has changed.
    expect(reason(fx, "CASH-0001")).toBe("ok");
    expect(reason(fx, "NEW-0001")).toBe("unknown");
    expect(fx.store.status(NOW).listVersion).toBe(1);
    expect(
      listCacheSnapshot(fx.dir)
        .split("\n")
        .filter((l) => !l.startsWith("staged-")),
    ).toEqual(before.split("\n"));
    expect(fx.store.commitPreparedList(prepared, NOW)).toEqual({ status: "imported", version: 2, codes: 1 });
    expect(reason(fx, "NEW-0001")).toBe("ok");
    expect(reason(fx, "CASH-0001")).toBe("unknown");
    expect(readdirSync(join(fx.dir, "list")).filter((f) => f.startsWith("staged-"))).toEqual([]);
    fx.reopen();
    expect(reason(fx, "NEW-0001")).toBe("ok");
  });

  it("a prepared list overtaken by a newer one is refused at commit; its files go, the newer list serves", () => {
    fx = makeStore(campaigns, codes);
    const { dir, pinned, inForce } = fx.store.listImportTarget();
    const v2 = prepareListImport(
      dir,
      Buffer.from(fx.signList(campaigns, codes, { version: 2 })),
      pinned,
      inForce,
    );
    fx.store.importList(fx.signList(campaigns, [{ code: "V3-0001", campaign: "cash" }], { version: 3 }), NOW);
    expect(() => fx.store.commitPreparedList(v2, NOW)).toThrow(
      expect.objectContaining({ problem: "stale_version" }),
    );
    expect(reason(fx, "V3-0001")).toBe("ok");
    expect(readdirSync(dir).filter((f) => f.startsWith("staged-"))).toEqual([]);
  });

  it("a list dated too far ahead is refused at commit and the old list keeps serving", () => {
    fx = makeStore(campaigns, codes, { options: { maxAheadMs: 3_600_000 } });
    const ahead = fx.signList(campaigns, [], { version: 2, issuedAt: "2026-03-05T04:00:00Z" });
    const before = listCacheSnapshot(fx.dir);
    expect(() => fx.store.importList(ahead, NOW)).toThrow(CouponListError);
    expect(listCacheSnapshot(fx.dir)).toBe(before);
    expect(reason(fx, "CASH-0001")).toBe("ok");
    expect(fx.store.trustedTime()).toBe(Date.parse("2026-01-01T00:00:00Z"));
  });

  it("staged files left by a crash are removed when the owner opens the data dir", () => {
    fx = makeStore(campaigns, codes);
    const { dir, pinned, inForce } = fx.store.listImportTarget();
    prepareListImport(dir, Buffer.from(fx.signList(campaigns, codes, { version: 2 })), pinned, inForce);
    fx.reopen();
    expect(readdirSync(dir).filter((f) => f.startsWith("staged-"))).toEqual([]);
    expect(fx.store.status(NOW).listVersion).toBe(1);
  });
});

describe("deltas through the store", () => {
  const delta = (f: StoreFixture, version: number, body: object, extra: object = {}) => {
    const base = f.store.listImportTarget().inForce;
    return JSON.stringify(
      signDocument(
        JSON.stringify({
          format: "quan.coupons-delta/1",
          merchant: "m-test",
          version,
          baseVersion: base?.version,
          baseDocumentHash: base?.documentHash,
          issuedAt: "2026-03-04T03:30:00Z",
          ...body,
          ...extra,
        }),
        f.keys.privateKeyPem,
      ),
    );
  };

  it("an applied delta answers scans at once, survives a restart and raises the trusted time", () => {
    fx = makeStore(campaigns, codes);
    const r = fx.store.applyDelta(
      delta(fx, 2, { codes: { upsert: [{ code: "D-0001", campaign: "cash" }], remove: ["CASH-0002"] } }),
      NOW,
    );
    expect(r).toEqual({ status: "applied", version: 2, compactDue: false });
    expect(reason(fx, "D-0001")).toBe("ok");
    expect(reason(fx, "CASH-0002")).toBe("unknown");
    expect(fx.store.trustedTime()).toBe(Date.parse("2026-03-04T03:30:00Z"));
    fx.reopen();
    expect(reason(fx, "D-0001")).toBe("ok");
    expect(fx.store.status(NOW)).toMatchObject({ listVersion: 2, codes: 2 });
    // A dry run (read-only, codes read from the file) sees the same list.
    const ro = CouponStore.openReadOnly(fx.options);
    expect(ro.check(basket("D-0001"), NOW).lines[0]).toMatchObject({ ok: true });
    expect(ro.check(basket("CASH-0002"), NOW).lines[0]).toMatchObject({ reason: "unknown" });
    ro.close();
  });

  it("a forged or far-future delta is refused and changes nothing", () => {
    fx = makeStore(campaigns, codes, { options: { maxAheadMs: 3_600_000 } });
    const before = listCacheSnapshot(fx.dir);
    const forged = JSON.parse(delta(fx, 2, { codes: { upsert: [{ code: "X-1", campaign: "cash" }] } }));
    forged.document = forged.document.replace("X-1", "X-2");
    expect(() => fx.store.applyDelta(JSON.stringify(forged), NOW)).toThrow(/signature/);
    expect(() => fx.store.applyDelta(delta(fx, 2, {}, { issuedAt: "2026-03-05T04:00:00Z" }), NOW)).toThrow(
      expect.objectContaining({ problem: "issued_ahead" }),
    );
    expect(listCacheSnapshot(fx.dir)).toBe(before);
    expect(fx.store.status(NOW).listVersion).toBe(1);
  });

  it("past the compaction threshold the deltas are folded into a new table, and nothing changes for scans", () => {
    fx = makeStore(campaigns, codes, { options: { listCompactAfter: 2 } });
    const r = fx.store.applyDelta(
      delta(fx, 2, {
        codes: {
          upsert: [
            { code: "D-0001", campaign: "cash" },
            { code: "D-0002", campaign: "cash" },
          ],
        },
      }),
      NOW,
    );
    expect(r.compactDue).toBe(true);
    expect(fx.store.compactList()).toBe(true);
    expect(fx.store.compactList()).toBe(false);
    expect([reason(fx, "D-0001"), reason(fx, "D-0002"), reason(fx, "CASH-0001")]).toEqual(["ok", "ok", "ok"]);
    fx.reopen();
    expect(fx.store.status(NOW)).toMatchObject({ listVersion: 2, codes: 4 });
    expect(CouponStore.verifyList(fx.dir, fx.options.merchant, fx.options.log)).toEqual([]);
    expect(existsSync(join(fx.dir, "list", "overlay.json"))).toBe(true);
  });
});
