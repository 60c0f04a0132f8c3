import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import { JournalWriteError } from "../../../src/runtime/store/journal.js";
import { at } from "../../helpers/coupon-fixtures.js";
import { makeStore, type StoreFixture } from "../../helpers/store-fixture.js";
import { mountTmpfs, type Tmpfs } from "../../helpers/tmpfs.js";

// A real full filesystem (a small tmpfs), as the terminal's SD card gets when logs fill it.
const NOW = at("2026-03-04T04:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 100, stackable: true }];
const codes = [{ code: "MANY", campaign: "cash", uses: 999 }];
const basket = { amount: 5000, coupons: [{ code: "MANY" }] };

const mounted = mountTmpfs(256);
const tmpfs = "dir" in mounted ? mounted : null;
afterAll(() => tmpfs?.unmount());

describe.skipIf(!tmpfs)(
  `the daemon's store on a full disk${tmpfs ? "" : ` (skipped: ${(mounted as { unavailable: string }).unavailable})`}`,
  () => {
    let fx: StoreFixture;
    beforeAll(() => {
      fx = makeStore(campaigns, codes, { options: { dataDir: join((tmpfs as Tmpfs).dir, "data") } });
    });
    afterAll(() => fx.cleanup());

    it("refuses commits while the disk is full, and commits again by itself once there is room", () => {
      const disk = tmpfs as Tmpfs;
      const store = fx.store;
      disk.fill();
      let committed = 0;
      let failure: unknown;
      // The journal's last page still has room for a few records; then the disk is really full.
      for (let i = 0; i < 50 && !failure; i++) {
        try {
          if (store.redeem(basket, NOW + i * 1000, "a").committed) committed++;
        } catch (err) {
          failure = err;
        }
      }
      expect(failure).toBeInstanceOf(JournalWriteError);
      expect((failure as Error).message).toMatch(/ENOSPC.*nothing was committed/);
      expect(() => store.redeem(basket, NOW + 60_000, "a")).toThrow(JournalWriteError);

      disk.free();
      // No restart: the same store commits again.
      expect(store.canCommit()).toBe(true);
      expect(store.redeem(basket, NOW + 61_000, "a").committed).toBe(true);
      fx.reopen();
      expect(fx.store.status(NOW + 62_000).redemptions).toBe(committed + 1);
    });

    it("a close on a full disk releases the lock; the counters catch up at the next start", () => {
      const disk = tmpfs as Tmpfs;
      fx.reopen();
      const before = fx.store.status(NOW).redemptions;
      expect(fx.store.redeem(basket, NOW + 70_000, "a").committed).toBe(true);
      disk.fill();
      fx.store.close(); // the snapshot cannot be written
      disk.free();
      fx.store = CouponStore.open(fx.options);
      expect(fx.store.status(NOW).redemptions).toBe(before + 1);
    });
  },
);
