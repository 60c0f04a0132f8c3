import { afterEach, describe, expect, it } from "vitest";
import { makeStore, type StoreFixture } from "../../helpers/store-fixture.js";

/** The link's offline policy, as the store applies it: only while the link is down. */
const ISSUED = Date.parse("2026-01-01T00:00:00Z");
const HOUR = 3_600_000;
let fx: StoreFixture | null = null;
afterEach(() => {
  fx?.cleanup();
  fx = null;
});

function store(policy: { maxListAgeMs: number | null } | undefined) {
  fx = makeStore(
    [
      { id: "cash", name: "Cash", kind: "amount", amountOff: 500 },
      { id: "web", name: "Web", kind: "amount", amountOff: 500, onlineOnly: true },
    ],
    [
      { code: "CASH-0001", campaign: "cash" },
      { code: "WEB-0001", campaign: "web" },
    ],
    { now: ISSUED + 60_000, ...(policy ? { options: { offlinePolicy: policy } } : {}) },
  );
  return fx.store;
}

const verdict = (s: ReturnType<typeof store>, code: string, now: number) => {
  const line = s.check({ amount: 5000, coupons: [{ code }] }, now).lines[0];
  return line?.ok ? "ok" : line?.reason;
};

describe("the offline policy", () => {
  it("refuses the merchant's online-only campaigns while the link is down, whatever the terminal's settings", () => {
    const s = store({ maxListAgeMs: null });
    // A linked terminal counts as offline until its link comes up.
    expect(verdict(s, "WEB-0001", ISSUED + HOUR)).toBe("online_only");
    expect(verdict(s, "CASH-0001", ISSUED + HOUR)).toBe("ok");
    s.setOnline(true, ISSUED + HOUR);
    expect(verdict(s, "WEB-0001", ISSUED + HOUR)).toBe("ok");
    s.setOnline(false, ISSUED + 2 * HOUR);
    expect(
      s.redeem({ amount: 5000, coupons: [{ code: "WEB-0001" }] }, ISSUED + 2 * HOUR, "c").committed,
    ).toBe(false);
  });

  it("counts the list's age from when it was last known current (issued, or the link up), across a restart", () => {
    const s = store({ maxListAgeMs: 2 * HOUR });
    expect(verdict(s, "CASH-0001", ISSUED + HOUR)).toBe("ok");
    expect(verdict(s, "CASH-0001", ISSUED + 3 * HOUR)).toBe("offline_list_stale");
    // Online at 3 h (the list was current then), down at 4 h: fine until 6 h after that.
    s.setOnline(true, ISSUED + 3 * HOUR);
    expect(verdict(s, "CASH-0001", ISSUED + 3 * HOUR)).toBe("ok");
    s.setOnline(false, ISSUED + 4 * HOUR);
    expect(verdict(s, "CASH-0001", ISSUED + 5 * HOUR)).toBe("ok");
    const reopened = fx?.reopen();
    if (!reopened) throw new Error("no store");
    expect(verdict(reopened, "CASH-0001", ISSUED + 5 * HOUR)).toBe("ok");
    expect(verdict(reopened, "CASH-0001", ISSUED + 7 * HOUR)).toBe("offline_list_stale");
  });

  it("does nothing on a terminal without a link (it is offline by design)", () => {
    const s = store(undefined);
    expect(verdict(s, "WEB-0001", ISSUED + 30 * 24 * HOUR)).toBe("ok");
  });
});
