import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { carryTrustedTime, clockIsSynchronized } from "../../../src/runtime/clock/clock-sync.js";
import { makeStore, type StoreFixture } from "../../helpers/store-fixture.js";

let fx: StoreFixture;
afterEach(() => fx?.cleanup());

const timed = [
  { id: "t", name: "T", kind: "amount" as const, amountOff: 100, validUntil: "2027-01-01T00:00:00Z" },
];
const codes = [{ code: "TIME-0001", campaign: "t", uses: 9 }];
const NOW = Date.parse("2026-03-04T04:00:00Z");

describe("carrying a synchronised clock forward as trusted time", () => {
  it("after an offline reboot, a clock behind the last synchronised time refuses time-limited coupons", () => {
    fx = makeStore(timed, codes);
    // Running for days with NTP: the trusted time follows the clock, without any redemption.
    expect(carryTrustedTime(fx.store, NOW + 3 * 86_400_000, true)).toBe(true);
    fx.reopen();
    // Power cut, reboot offline; the clock restarts from an old saved time.
    const verdict = fx.store.check({ amount: 5000, coupons: [{ code: "TIME-0001" }] }, NOW + 86_400_000);
    expect(verdict.lines[0]).toMatchObject({ ok: false, reason: "clock_unverified" });
  });

  it("an unsynchronised clock is never taken at its word", () => {
    fx = makeStore(timed, codes);
    const before = fx.store.trustedTime();
    expect(carryTrustedTime(fx.store, Date.parse("2030-01-01T00:00:00Z"), false)).toBe(false);
    expect(fx.store.trustedTime()).toBe(before);
  });

  it("reads systemd-timesyncd's marker", () => {
    const dir = mkdtempSync(join(tmpdir(), "quan-timesync-"));
    expect(clockIsSynchronized(join(dir, "synchronized"))).toBe(false);
    writeFileSync(join(dir, "synchronized"), "");
    expect(clockIsSynchronized(join(dir, "synchronized"))).toBe(true);
  });
});
