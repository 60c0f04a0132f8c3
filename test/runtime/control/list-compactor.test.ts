import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { signDocument } from "../../../src/protocol/envelope/index.js";
import { announcingLedger } from "../../../src/runtime/bus/announcing-ledger.js";
import { EventBus } from "../../../src/runtime/bus/event-bus.js";
import type { TerminalEvents } from "../../../src/runtime/bus/terminal-events.js";
import { ListCompactor } from "../../../src/runtime/control/list-compactor.js";
import { silentLogger } from "../../../src/runtime/log.js";
import { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import { OVERLAY_FILE } from "../../../src/runtime/store/list-cache/list-cache.js";
import { makeStore, type StoreFixture } from "../../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000 }];
const code = (i: number) => `C${String(i).padStart(7, "0")}`;
const BASE = 20_000;

let fx: StoreFixture;
let compactor: ListCompactor | undefined;
afterEach(async () => {
  await compactor?.stop();
  fx?.cleanup();
});

/** A signed delta on top of the list in force that adds `count` codes from `from`. */
function delta(version: number, from: number, count: number): string {
  const base = fx.store.listImportTarget().inForce;
  const upsert = Array.from({ length: count }, (_, i) => ({ code: code(from + i), campaign: "cash" }));
  return JSON.stringify(
    signDocument(
      JSON.stringify({
        format: "quan.coupons-delta/1",
        merchant: "m-test",
        version,
        baseVersion: base?.version,
        baseDocumentHash: base?.documentHash,
        issuedAt: "2026-03-04T03:30:00Z",
        codes: { upsert },
      }),
      fx.keys.privateKeyPem,
    ),
  );
}

const scan = (store: CouponStore, c: string) => {
  const line = store.check({ amount: 5000, coupons: [{ code: c }] }, NOW).lines[0];
  return line?.ok ? "ok" : line?.reason;
};

const overlayDeltas = () =>
  (JSON.parse(readFileSync(join(fx.dir, "list", OVERLAY_FILE), "utf8")) as { deltas: unknown[] }).deltas
    .length;

describe("list compaction, scheduled off the hot path", () => {
  it("folds the deltas into a new table in a worker once they pass the threshold; scans answer throughout", async () => {
    fx = makeStore(
      campaigns,
      Array.from({ length: BASE }, (_, i) => ({ code: code(i), campaign: "cash" })),
      { options: { listCompactAfter: 100 } },
    );
    compactor = new ListCompactor({ store: fx.store, log: silentLogger() });
    const ledger = announcingLedger(
      fx.store,
      new EventBus<TerminalEvents>(silentLogger()).owned("store"),
      compactor,
    );

    // Below the threshold: nothing is scheduled, the delta stays in the overlay.
    expect(ledger.applyDelta(delta(2, BASE, 60), NOW)).toMatchObject({
      status: "applied",
      compactDue: false,
    });
    await compactor.idle();
    expect(overlayDeltas()).toBe(1);

    // Past it: the compaction is under way in a worker as applyDelta returns; this thread keeps answering.
    expect(ledger.applyDelta(delta(3, BASE + 60, 60), NOW)).toMatchObject({
      status: "applied",
      compactDue: true,
    });
    const answered: string[] = [];
    const timer = setInterval(
      () => answered.push(`${scan(fx.store, code(5))}/${scan(fx.store, code(BASE + 100))}`),
      1,
    );
    // A delta applied while the worker builds stays on top of the compacted table.
    expect(ledger.applyDelta(delta(4, BASE + 120, 5), NOW).status).toBe("applied");
    await compactor.idle();
    clearInterval(timer);

    expect(answered.every((a) => a === "ok/ok")).toBe(true);
    expect(overlayDeltas()).toBeLessThanOrEqual(1);
    expect(fx.store.status(NOW)).toMatchObject({ listVersion: 4, codes: BASE + 125 });
    for (const c of [code(0), code(BASE + 59), code(BASE + 119), code(BASE + 124)])
      expect(scan(fx.store, c)).toBe("ok");
    expect(scan(fx.store, code(BASE + 125))).toBe("unknown");

    // What is on disk is the same list, re-verifiable against the merchant's signatures.
    const store = fx.reopen();
    expect(store.status(NOW)).toMatchObject({ listVersion: 4, codes: BASE + 125 });
    expect(scan(store, code(BASE + 124))).toBe("ok");
    expect(CouponStore.verifyList(fx.dir, fx.options.merchant, fx.options.log)).toEqual([]);
    expect(existsSync(join(fx.dir, "list", "codes.table"))).toBe(true);
  });
});
