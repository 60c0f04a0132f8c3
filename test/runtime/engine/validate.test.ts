import { describe, expect, it } from "vitest";
import { hashMember } from "../../../src/runtime/coupons/member-hash.js";
import { decodeBase32, hotp } from "../../../src/runtime/coupons/totp.js";
import { evaluateBasket } from "../../../src/runtime/engine/basket.js";
import type { CouponIndex } from "../../../src/runtime/engine/coupon-index.js";
import type { TerminalContext } from "../../../src/runtime/engine/validate.js";
import { REJECTION_REASONS, type Verdict } from "../../../src/runtime/engine/verdict.js";
import { applyEntry, emptyUsage, type UsageState } from "../../../src/runtime/ledger/usage.js";
import { at, ctx, indexOf, SALT, TOTP_SECRET } from "../../helpers/coupon-fixtures.js";

const NOW = at("2026-03-04T04:00:00Z"); // Wednesday 12:00 in Asia/Shanghai
const ALICE = hashMember(SALT, "13800138000");
const BOB = hashMember(SALT, "13900139000");
const tokenAt = (ms: number, stepOffset = 0) =>
  hotp(decodeBase32(TOTP_SECRET), Math.floor(ms / 30_000) + stepOffset);

const index = indexOf(
  [
    { id: "pct20", name: { zh: "八折", en: "20% off" }, kind: "percent", percentOff: 20, stackable: true },
    { id: "cash10", name: "Cash 10", kind: "amount", amountOff: 1000, stackable: true },
    { id: "solo", name: "Solo", kind: "amount", amountOff: 500 },
    { id: "thr", name: "满100减20", kind: "threshold", threshold: 10000, off: 2000 },
    { id: "gift", name: "Gift", kind: "gift", gift: { zh: "咖啡", en: "Coffee" } },
    { id: "giftmin", name: "Gift over 10", kind: "gift", gift: "Cake", minSpend: 1000 },
    { id: "scoped", name: "Scoped", kind: "amount", amountOff: 100, stores: ["S2"] },
    { id: "limited", name: "Limited", kind: "amount", amountOff: 100, maxUses: 1 },
    { id: "future", name: "Future", kind: "amount", amountOff: 100, validFrom: "2026-06-01T00:00:00+08:00" },
    { id: "past", name: "Past", kind: "amount", amountOff: 100, validUntil: "2026-03-01T00:00:00+08:00" },
    {
      id: "lunch",
      name: "Lunch",
      kind: "amount",
      amountOff: 100,
      hours: ["11:00-14:00"],
      weekdays: [1, 2, 3, 4, 5],
    },
    { id: "weekend", name: "Weekend", kind: "amount", amountOff: 100, weekdays: [6, 7] },
    { id: "members", name: "Members", kind: "amount", amountOff: 100, requiresMember: true },
    { id: "once", name: "Once per member", kind: "amount", amountOff: 100, perMember: 1 },
    { id: "min50", name: "Min 50", kind: "amount", amountOff: 100, minSpend: 5000 },
    { id: "dyn", name: "Dynamic", kind: "amount", amountOff: 100, dynamic: true },
    { id: "gone", name: "Revoked campaign", kind: "amount", amountOff: 100 },
    { id: "web", name: "Online only", kind: "amount", amountOff: 100, onlineOnly: true },
  ],
  [
    { code: "PCT20-A", campaign: "pct20" },
    { code: "CASH10-A", campaign: "cash10" },
    { code: "WEB-A", campaign: "web" },
    { code: "SOLO-A", campaign: "solo" },
    { code: "THR-A", campaign: "thr" },
    { code: "GIFT-A", campaign: "gift" },
    { code: "GIFTMIN-A", campaign: "giftmin" },
    { code: "SCOPED-A", campaign: "scoped" },
    { code: "LIMITED-A", campaign: "limited" },
    { code: "LIMITED-B", campaign: "limited" },
    { code: "FUTURE-A", campaign: "future" },
    { code: "PAST-A", campaign: "past" },
    { code: "LUNCH-A", campaign: "lunch" },
    { code: "WEEKEND-A", campaign: "weekend" },
    { code: "MEMBERS-A", campaign: "members" },
    { code: "BOUND-A", campaign: "cash10", member: ALICE },
    { code: "ONCE-A", campaign: "once", uses: 5 },
    { code: "MIN50-A", campaign: "min50" },
    { code: "DYN-A", campaign: "dyn", uses: 100, totp: TOTP_SECRET },
    { code: "REVOKED-A", campaign: "cash10" },
    { code: "GONE-A", campaign: "gone" },
    { code: "MULTI-A", campaign: "cash10", uses: 3 },
  ],
  { revoked: { codes: ["REVOKED-A"], campaigns: ["gone"] } },
);

/** Counters after committing the given redemptions (through the same fold the store uses). */
function usageAfter(
  redemptions: { code: string; campaign: string; member?: string; otpStep?: number }[],
): UsageState {
  const usage = emptyUsage();
  redemptions.forEach((r, i) => {
    const line =
      r.otpStep === undefined
        ? { code: r.code, campaign: r.campaign, discount: 0 }
        : { code: r.code, campaign: r.campaign, discount: 0, otpStep: r.otpStep };
    const entry = {
      type: "redeem" as const,
      id: `R${i}`,
      at: "2026-03-04T03:00:00.000Z",
      terminal: "T9",
      store: "S1",
      cashier: "c1",
      currency: "CNY",
      amount: 0,
      discount: 0,
      payable: 0,
      lines: [line],
      listVersion: 1,
      ...(r.member ? { member: r.member } : {}),
    };
    applyEntry(usage, entry, i + 1, () => undefined);
  });
  return usage;
}

function check(
  code: string,
  opts: {
    amount?: number;
    now?: number;
    member?: string;
    usage?: UsageState;
    ctx?: TerminalContext;
    idx?: CouponIndex;
  } = {},
): Verdict {
  const [scanCode, token] = code.split("*");
  const scan = token === undefined ? { code: scanCode as string } : { code: scanCode as string, token };
  const basket = {
    amount: opts.amount ?? 20_000,
    coupons: [scan],
    ...(opts.member ? { member: opts.member } : {}),
  };
  const verdict = evaluateBasket(
    opts.idx ?? index,
    opts.usage ?? emptyUsage(),
    basket,
    opts.now ?? NOW,
    opts.ctx ?? ctx,
  );
  return verdict.lines[0] as Verdict;
}

describe("every rejection reason", () => {
  const cases: [string, string, Parameters<typeof check>[1]][] = [
    ["unknown", "NOPE-0000", {}],
    ["revoked", "REVOKED-A", {}],
    ["revoked", "GONE-A", {}],
    ["wrong_store", "SCOPED-A", {}],
    ["used", "SOLO-A", { usage: usageAfter([{ code: "SOLO-A", campaign: "solo" }]) }],
    ["limit_reached", "LIMITED-B", { usage: usageAfter([{ code: "LIMITED-A", campaign: "limited" }]) }],
    ["not_yet_valid", "FUTURE-A", {}],
    ["expired", "PAST-A", {}],
    ["outside_hours", "LUNCH-A", { now: at("2026-03-04T07:00:00Z") }],
    ["outside_hours", "WEEKEND-A", {}],
    ["member_required", "MEMBERS-A", {}],
    ["member_required", "BOUND-A", {}],
    ["member_mismatch", "BOUND-A", { member: BOB }],
    [
      "member_limit",
      "ONCE-A",
      { member: ALICE, usage: usageAfter([{ code: "ONCE-A", campaign: "once", member: ALICE }]) },
    ],
    ["min_spend", "MIN50-A", { amount: 4999 }],
    ["min_spend", "THR-A", { amount: 9999 }],
    ["dynamic_invalid", "DYN-A", {}],
    ["dynamic_invalid", "DYN-A*000000", {}],
    ["dynamic_invalid", `DYN-A*${tokenAt(NOW, -2)}`, {}],
    [
      "dynamic_replayed",
      `DYN-A*${tokenAt(NOW)}`,
      { usage: usageAfter([{ code: "DYN-A", campaign: "dyn", otpStep: Math.floor(NOW / 30_000) }]) },
    ],
    ["clock_unverified", "LUNCH-A", { ctx: { ...ctx, trustedTime: NOW + 3_600_000 } }],
    ["nothing_off", "CASH10-A", { amount: 0 }],
    // The merchant link is down: the offline policy decides.
    ["accepted", "WEB-A", {}],
    ["online_only", "WEB-A", { ctx: { ...ctx, offline: { refuseOnlineOnly: true, listStale: false } } }],
    ["accepted", "WEB-A", { ctx: { ...ctx, offline: { refuseOnlineOnly: false, listStale: false } } }],
    ["accepted", "CASH10-A", { ctx: { ...ctx, offline: { refuseOnlineOnly: true, listStale: false } } }],
    [
      "offline_list_stale",
      "CASH10-A",
      { ctx: { ...ctx, offline: { refuseOnlineOnly: false, listStale: true } } },
    ],
    ["nothing_off", "PCT20-A", { amount: 0 }],
    ["nothing_off", "PCT20-A", { amount: 2 }], // 20% of 0.02 rounds to nothing
    ["min_spend", "GIFTMIN-A", { amount: 0 }],
    ["accepted", "GIFT-A", { amount: 0 }],
  ];
  it.each(cases)("%s: %s", (reason, code, opts) => {
    const v = check(code, opts);
    expect(v.ok ? "accepted" : v.reason).toBe(reason);
  });

  it("covers the whole list of reasons (not_stackable is exercised with baskets below)", () => {
    const covered = new Set([...cases.map((c) => c[0]).filter((r) => r !== "accepted"), "not_stackable"]);
    expect([...covered].sort()).toEqual([...REJECTION_REASONS].sort());
  });

  it("a used code says when and where it was used", () => {
    const v = check("SOLO-A", { usage: usageAfter([{ code: "SOLO-A", campaign: "solo" }]) });
    expect(v).toMatchObject({
      ok: false,
      reason: "used",
      lastUse: { terminal: "T9", store: "S1", at: "2026-03-04T03:00:00.000Z" },
    });
  });
});

describe("precedence when several reasons apply", () => {
  it("revoked beats used and expired", () => {
    const idx = indexOf(
      [{ id: "p", name: "P", kind: "amount", amountOff: 100, validUntil: "2026-01-01T00:00:00Z" }],
      [{ code: "X-0001", campaign: "p" }],
      { revoked: { codes: ["X-0001"], campaigns: [] } },
    );
    expect(check("X-0001", { idx, usage: usageAfter([{ code: "X-0001", campaign: "p" }]) })).toMatchObject({
      reason: "revoked",
    });
  });
  it("used beats expired, expired beats member_required, member_required beats min_spend", () => {
    const idx = indexOf(
      [
        {
          id: "p",
          name: "P",
          kind: "amount",
          amountOff: 100,
          validUntil: "2026-01-01T00:00:00Z",
          requiresMember: true,
          minSpend: 99999,
        },
        { id: "q", name: "Q", kind: "amount", amountOff: 100, requiresMember: true, minSpend: 99999 },
      ],
      [
        { code: "X-0001", campaign: "p" },
        { code: "Y-0001", campaign: "q" },
      ],
    );
    expect(check("X-0001", { idx, usage: usageAfter([{ code: "X-0001", campaign: "p" }]) })).toMatchObject({
      reason: "used",
    });
    expect(check("X-0001", { idx })).toMatchObject({ reason: "expired" });
    expect(check("Y-0001", { idx })).toMatchObject({ reason: "member_required" });
    expect(check("Y-0001", { idx, member: ALICE })).toMatchObject({ reason: "min_spend" });
  });
  it("an expired coupon stays expired when the clock is also unverified", () => {
    expect(check("PAST-A", { ctx: { ...ctx, trustedTime: NOW + 3_600_000 } })).toMatchObject({
      reason: "expired",
    });
  });
});

describe("discounts by kind", () => {
  const ok = (code: string, amount: number, opts: Parameters<typeof check>[1] = {}) => {
    const v = check(code, { ...opts, amount });
    if (!v.ok) throw new Error(`expected ${code} accepted, got ${v.reason}`);
    return { discount: v.discount, payable: v.payable };
  };
  it.each([
    ["percent 20% of 128.50", "PCT20-A", 12850, 2570, 10280],
    ["percent 20% of 3 fen: 0.6 rounds half up to 1", "PCT20-A", 3, 1, 2],
    ["cash voucher", "CASH10-A", 5000, 1000, 4000],
    ["cash voucher never exceeds the bill", "CASH10-A", 800, 800, 0],
    ["threshold at exactly the threshold", "THR-A", 10000, 2000, 8000],
    ["threshold without repeat", "THR-A", 35000, 2000, 33000],
    ["gift takes nothing off", "GIFT-A", 5000, 0, 5000],
  ])("%s", (_name, code, amount, discount, payable) => {
    expect(ok(code as string, amount as number)).toEqual({ discount, payable });
  });

  it("a gift says what to hand over", () => {
    expect(check("GIFT-A")).toMatchObject({ ok: true, gift: { zh: "咖啡", en: "Coffee" } });
  });

  it("threshold with repeat takes the discount per full threshold, up to the cap", () => {
    const idx = indexOf(
      [{ id: "r", name: "R", kind: "threshold", threshold: 10000, off: 1500, repeat: true, maxOff: 4000 }],
      [{ code: "R-0001", campaign: "r" }],
    );
    expect(check("R-0001", { idx, amount: 29999 })).toMatchObject({ discount: 3000, payable: 26999 });
    expect(check("R-0001", { idx, amount: 30000 })).toMatchObject({ discount: 4000, payable: 26000 });
  });

  it("percent with a cap", () => {
    const idx = indexOf(
      [{ id: "c", name: "C", kind: "percent", percentOff: 50, maxOff: 3000 }],
      [{ code: "C-0001", campaign: "c" }],
    );
    expect(check("C-0001", { idx, amount: 5000 })).toMatchObject({ discount: 2500 });
    expect(check("C-0001", { idx, amount: 10000 })).toMatchObject({ discount: 3000, payable: 7000 });
  });
});

describe("rounding edges", () => {
  const pct = (percentOff: number, rounding: "half_up" | "down" | "half_even") =>
    indexOf(
      [{ id: "p", name: "P", kind: "percent", percentOff, rounding }],
      [{ code: "P-0001", campaign: "p" }],
    );
  it.each([
    // 25% of 19.99 = 4.9975: never 15.00 payable (Saleor #12040)
    [25, "half_up", 1999, 500],
    [25, "down", 1999, 499],
    [25, "half_even", 1999, 500],
    // exact halves: 50% of 1 fen, 50% of 3 fen
    [50, "half_up", 1, 1],
    [50, "half_even", 3, 2],
    [50, "half_up", 3, 2],
    // 12.5% of 0.04 = 0.005
    [12.5, "half_up", 4, 1],
    // 100% off takes exactly the bill
    [100, "half_up", 12345, 12345],
  ] as const)("%s%% %s of %s fen -> %s fen off", (percent, mode, amount, discount) => {
    expect(check("P-0001", { idx: pct(percent, mode), amount })).toMatchObject({
      ok: true,
      discount,
      payable: amount - discount,
    });
  });
  it.each([
    [50, "half_even", 1],
    [50, "down", 1],
    [12.5, "half_even", 4],
    [20, "half_up", 1],
  ] as const)("%s%% %s of %s fen rounds to nothing off: refused, not burnt", (percent, mode, amount) => {
    expect(check("P-0001", { idx: pct(percent, mode), amount })).toMatchObject({
      ok: false,
      reason: "nothing_off",
    });
  });
});

describe("hour and weekday windows in the store timezone", () => {
  it("a window that wraps midnight belongs to the day it starts on", () => {
    const idx = indexOf(
      [{ id: "n", name: "Night", kind: "amount", amountOff: 100, hours: ["22:00-02:00"], weekdays: [5] }],
      [{ code: "N-0001", campaign: "n" }],
    );
    const verdict = (iso: string) => {
      const v = check("N-0001", { idx, now: at(iso) });
      return v.ok ? "ok" : v.reason;
    };
    expect(verdict("2026-03-06T21:59:00+08:00")).toBe("outside_hours"); // Fri 21:59
    expect(verdict("2026-03-06T22:00:00+08:00")).toBe("ok"); // Fri 22:00
    expect(verdict("2026-03-07T01:59:00+08:00")).toBe("ok"); // Sat 01:59, still Friday night
    expect(verdict("2026-03-07T02:00:00+08:00")).toBe("outside_hours"); // end is exclusive
    expect(verdict("2026-03-07T23:00:00+08:00")).toBe("outside_hours"); // Saturday night is not Friday
    expect(verdict("2026-03-06T01:00:00+08:00")).toBe("outside_hours"); // Fri 01:00 belongs to Thursday night
  });

  it("weekdays are the store's, not UTC's", () => {
    const idx = indexOf(
      [{ id: "m", name: "Mon", kind: "amount", amountOff: 100, weekdays: [1] }],
      [{ code: "M-0001", campaign: "m" }],
    );
    // Sunday 23:30 UTC is Monday 07:30 in Shanghai.
    expect(check("M-0001", { idx, now: at("2026-03-08T23:30:00Z") })).toMatchObject({ ok: true });
    expect(check("M-0001", { idx, now: at("2026-03-08T15:59:00Z") })).toMatchObject({
      reason: "outside_hours",
    });
  });

  it("an hour window on a DST-change Sunday in New York follows the wall clock", () => {
    const idx = indexOf(
      [
        {
          id: "s",
          name: "Sunday brunch",
          kind: "amount",
          amountOff: 100,
          weekdays: [7],
          hours: ["09:00-11:00"],
        },
      ],
      [{ code: "S-0001", campaign: "s" }],
      { timezone: "America/New_York" },
    );
    const verdict = (iso: string) => {
      const v = check("S-0001", { idx, now: at(iso) });
      return v.ok ? "ok" : v.reason;
    };
    // 2026-03-08 (spring forward): 09:00 EDT = 13:00Z; the day before the change it would be 14:00Z.
    expect(verdict("2026-03-08T12:59:00Z")).toBe("outside_hours");
    expect(verdict("2026-03-08T13:00:00Z")).toBe("ok");
    expect(verdict("2026-03-08T14:59:00Z")).toBe("ok");
    expect(verdict("2026-03-08T15:00:00Z")).toBe("outside_hours");
    // 2026-11-01 (fall back): 09:00 EST = 14:00Z.
    expect(verdict("2026-11-01T13:30:00Z")).toBe("outside_hours");
    expect(verdict("2026-11-01T14:00:00Z")).toBe("ok");
    expect(verdict("2026-11-01T15:59:00Z")).toBe("ok");
    expect(verdict("2026-11-01T16:00:00Z")).toBe("outside_hours");
  });

  it("a window crossing the fall-back hour counts the repeated hour once per instant", () => {
    const idx = indexOf(
      [{ id: "e", name: "Early", kind: "amount", amountOff: 100, hours: ["01:00-01:30"] }],
      [{ code: "E-0001", campaign: "e" }],
      { timezone: "America/New_York" },
    );
    // 01:15 happens twice on 2026-11-01: 05:15Z (EDT) and 06:15Z (EST); both are inside the window.
    expect(check("E-0001", { idx, now: at("2026-11-01T05:15:00Z") })).toMatchObject({ ok: true });
    expect(check("E-0001", { idx, now: at("2026-11-01T06:15:00Z") })).toMatchObject({ ok: true });
    expect(check("E-0001", { idx, now: at("2026-11-01T06:45:00Z") })).toMatchObject({
      reason: "outside_hours",
    });
  });

  it("validity is half-open: valid from <= now < until", () => {
    const idx = indexOf(
      [
        {
          id: "v",
          name: "V",
          kind: "amount",
          amountOff: 100,
          validFrom: "2026-03-01T00:00:00Z",
          validUntil: "2026-03-02T00:00:00Z",
        },
      ],
      [{ code: "V-0001", campaign: "v" }],
    );
    const trusted = { ...ctx, trustedTime: 0 };
    expect(check("V-0001", { idx, ctx: trusted, now: at("2026-02-28T23:59:59.999Z") })).toMatchObject({
      reason: "not_yet_valid",
    });
    expect(check("V-0001", { idx, ctx: trusted, now: at("2026-03-01T00:00:00Z") })).toMatchObject({
      ok: true,
    });
    expect(check("V-0001", { idx, ctx: trusted, now: at("2026-03-01T23:59:59.999Z") })).toMatchObject({
      ok: true,
    });
    expect(check("V-0001", { idx, ctx: trusted, now: at("2026-03-02T00:00:00Z") })).toMatchObject({
      reason: "expired",
    });
  });
});

describe("stacking", () => {
  const basket = (codes: string[], amount = 10_000) =>
    evaluateBasket(index, emptyUsage(), { amount, coupons: codes.map((code) => ({ code })) }, NOW, ctx);

  it("stackable coupons apply in scan order to the running payable", () => {
    const a = basket(["PCT20-A", "CASH10-A"]);
    expect(a.lines.map((l) => l.ok && l.discount)).toEqual([2000, 1000]);
    expect(a).toMatchObject({ discount: 3000, payable: 7000, committable: true });
    const b = basket(["CASH10-A", "PCT20-A"]);
    expect(b.lines.map((l) => l.ok && l.discount)).toEqual([1000, 1800]);
    expect(b).toMatchObject({ discount: 2800, payable: 7200 });
  });

  it("a non-stackable coupon refuses company, whichever comes first", () => {
    expect(basket(["PCT20-A", "SOLO-A"]).lines[1]).toMatchObject({ ok: false, reason: "not_stackable" });
    expect(basket(["SOLO-A", "PCT20-A"]).lines[1]).toMatchObject({ ok: false, reason: "not_stackable" });
    expect(basket(["SOLO-A", "PCT20-A"])).toMatchObject({ payable: 9500, committable: false });
  });

  it("the same single-use code twice in one basket is used the second time", () => {
    expect(basket(["CASH10-A", "CASH10-A"]).lines[1]).toMatchObject({ ok: false, reason: "used" });
  });

  it("stacked discounts never take the payable below zero", () => {
    const v = basket(["CASH10-A", "MULTI-A", "PCT20-A"], 1500);
    expect(v).toMatchObject({ discount: 1500, payable: 0 });
  });

  it("a coupon that takes money off is refused once nothing is left to take off (never burnt for nothing)", () => {
    const v = basket(["CASH10-A", "MULTI-A", "PCT20-A"], 1500);
    expect(v.lines.map((l) => (l.ok ? "ok" : l.reason))).toEqual(["ok", "ok", "nothing_off"]);
    expect(v.committable).toBe(false);
  });

  it("on a ￥0 bill a gift without minimum spend is redeemed (the customer came for the gift); a voucher is not", () => {
    expect(basket(["GIFT-A"], 0)).toMatchObject({ committable: true, discount: 0, payable: 0 });
    expect(basket(["CASH10-A"], 0)).toMatchObject({ committable: false, lines: [{ reason: "nothing_off" }] });
  });

  it("nothing_off comes after every other reason", () => {
    expect(basket(["GIFT-A", "PCT20-A"], 0).lines[1]).toMatchObject({ reason: "not_stackable" });
    expect(check("PAST-A", { amount: 0 })).toMatchObject({ reason: "expired" });
    expect(check("LUNCH-A", { amount: 0, ctx: { ...ctx, trustedTime: NOW + 3_600_000 } })).toMatchObject({
      reason: "clock_unverified",
    });
  });
});

describe("dynamic (TOTP) codes", () => {
  it.each([
    [-1, true],
    [0, true],
    [1, true],
    [-2, false],
    [2, false],
  ])("a token %s steps from now accepted: %s", (offset, accepted) => {
    const v = check(`DYN-A*${tokenAt(NOW, offset)}`);
    expect(v.ok ? "ok" : v.reason).toBe(accepted ? "ok" : "dynamic_invalid");
  });

  it("step edges: the last millisecond of a step and the first of the next", () => {
    const stepStart = Math.floor(NOW / 30_000) * 30_000;
    const token = tokenAt(stepStart);
    expect(check(`DYN-A*${token}`, { now: stepStart + 30_000 + 29_999 })).toMatchObject({ ok: true });
    expect(check(`DYN-A*${token}`, { now: stepStart + 60_000 })).toMatchObject({ reason: "dynamic_invalid" });
    expect(check(`DYN-A*${token}`, { now: stepStart - 30_000 })).toMatchObject({ ok: true });
    expect(check(`DYN-A*${token}`, { now: stepStart - 30_001 })).toMatchObject({ reason: "dynamic_invalid" });
  });

  it("a token used once is replayed even inside its window, and a fresh token works", () => {
    const step = Math.floor(NOW / 30_000);
    const usage = usageAfter([{ code: "DYN-A", campaign: "dyn", otpStep: step }]);
    expect(check(`DYN-A*${tokenAt(NOW)}`, { usage, now: NOW + 10_000 })).toMatchObject({
      reason: "dynamic_replayed",
    });
    expect(check(`DYN-A*${tokenAt(NOW + 30_000)}`, { usage, now: NOW + 30_000 })).toMatchObject({ ok: true });
  });
});

describe("the clock", () => {
  const behind = { ...ctx, trustedTime: NOW + 3_600_000 };
  it("coupons without a time limit still work when the clock is behind", () => {
    expect(check("CASH10-A", { ctx: behind })).toMatchObject({ ok: true });
  });
  it("a small lag within the tolerance is accepted", () => {
    expect(check("LUNCH-A", { ctx: { ...ctx, trustedTime: NOW + 60_000 } })).toMatchObject({ ok: true });
  });
  it("coupons that expired by the trusted time are expired even if the clock says otherwise", () => {
    const idx = indexOf(
      [{ id: "x", name: "X", kind: "amount", amountOff: 100, validUntil: "2026-03-04T04:30:00Z" }],
      [{ code: "X-0001", campaign: "x" }],
    );
    expect(check("X-0001", { idx, ctx: behind })).toMatchObject({ reason: "expired" });
  });
});
