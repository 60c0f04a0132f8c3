import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../src/runtime/log.js";
import { CouponStore, LIST_DIR } from "../../../src/runtime/store/coupon-store.js";
import {
  readTableFile,
  TABLE_FILE,
  writeTableFile,
} from "../../../src/runtime/store/list-cache/table-file.js";
import { makeStore, type StoreFixture } from "../../helpers/store-fixture.js";

let fx: StoreFixture | null = null;
afterEach(() => {
  fx?.cleanup();
  fx = null;
});

describe("a list cache written before the list had onlineOnly", () => {
  it("still verifies after the upgrade (quan doctor / coupons verify find nothing wrong)", () => {
    fx = makeStore(
      [{ id: "cash", name: "Cash", kind: "amount", amountOff: 100 }],
      [{ code: "CASH-0001", campaign: "cash" }],
    );
    fx.store.close();
    // What the previous version wrote: the same table, its campaigns without the new field.
    const path = join(fx.dir, LIST_DIR, TABLE_FILE);
    const { meta, codes } = readTableFile(path);
    const old = meta as { shell: { campaigns: Record<string, unknown>[] } };
    for (const c of old.shell.campaigns) delete c.onlineOnly;
    writeTableFile(path, old, codes);
    const pinned = { id: "m-test", publicKey: fx.keys.publicKey };
    expect(CouponStore.verifyList(fx.dir, pinned, silentLogger())).toEqual([]);
    fx.store = CouponStore.open(fx.options);
  });
});
