import { afterEach, describe, expect, it } from "vitest";
import { FlowHarness, NOW } from "./flow-harness.js";

let h: FlowHarness;
afterEach(() => h?.cleanup());

describe("idle", () => {
  it("shows the store and the terminal's health, updated by health events", () => {
    h = new FlowHarness();
    expect(h.view).toMatchObject({
      storeName: "小店",
      currency: "CNY",
      clock: "2026-03-04 12:00",
      screen: { name: "idle" },
      health: { listVersion: 1, clockTrusted: true, network: "unknown", printer: "unknown", unsent: null },
    });
    expect(h.view.health.listAgeMinutes).toBe((NOW - Date.parse("2026-01-01T00:00:00Z")) / 60_000);
    h.flow.handle({ type: "health", network: "offline", printer: "paper_out", unsent: 3 }, h.now);
    expect(h.view.health).toMatchObject({ network: "offline", printer: "paper_out", unsent: 3 });
    h.flow.handle({ type: "health", network: "online" }, h.now);
    expect(h.view.health).toMatchObject({ network: "online", printer: "paper_out", unsent: 3 });
  });

  it("reports a clock behind the trusted time", () => {
    h = new FlowHarness();
    h.now = Date.parse("2025-06-01T00:00:00Z");
    h.wait(0);
    expect(h.view.health.clockTrusted).toBe(false);
    expect(h.view.health.clockSynchronized).toBe(false);
  });
});

describe("typing the amount", () => {
  it("takes digits, one point, two decimals and backspace; Enter confirms", () => {
    h = new FlowHarness();
    h.press("0", "1", "2", "8", ".", "5", ".", "0");
    expect(h.sale()).toMatchObject({ step: "amount", amountText: "128.50", amount: null });
    h.press("7");
    expect(h.sale().amountText).toBe("128.50");
    expect(h.view.notice).toMatchObject({ code: "too_many_decimals", tone: "error" });
    expect(h.bells).toBe(1);
    h.press("Backspace", "Backspace", "Backspace", "Enter");
    expect(h.sale()).toMatchObject({ step: "review", amount: 12800, discount: 0, payable: 12800 });
  });

  it("refuses an amount above the maximum and Enter with nothing typed", () => {
    h = new FlowHarness({ maxAmount: 99_999 });
    h.press("/", "Backspace");
    expect(h.sale().step).toBe("amount");
    h.press("Enter");
    expect(h.view.notice?.code).toBe("amount_required");
    h.press("9999");
    expect(h.sale().amountText).toBe("999");
    expect(h.view.notice).toMatchObject({ code: "amount_too_large", params: { max: "￥999.99" } });
    h.press(".99", "Enter");
    expect(h.sale().amount).toBe(99_999);
  });

  it("a leading point reads as 0.", () => {
    h = new FlowHarness();
    h.press(".", "5", "Enter");
    expect(h.sale().amount).toBe(50);
  });
});

describe("scanning and committing", () => {
  it("amount, scan, confirm: journaled, APPROVED, receipt printed", () => {
    h = new FlowHarness();
    h.press("128.50", "Enter").scan("88000001");
    expect(h.sale()).toMatchObject({
      step: "review",
      amount: 12850,
      discount: 2570,
      payable: 10280,
      committable: true,
      lines: [{ code: "88000001", ok: true, offer: "8折，最高减￥50.00", name: "全场8折", discount: 2570 }],
    });
    expect(h.journal()).toEqual([]);
    h.press("Enter");
    const [record] = h.journal();
    expect(record).toMatchObject({
      type: "redeem",
      amount: 12850,
      discount: 2570,
      payable: 10280,
      cashier: "alice",
    });
    expect(h.screen).toMatchObject({
      name: "approved",
      receipt: { id: record?.id, payable: 10280, lines: [{ code: "88000001", discount: 2570 }] },
    });
    expect(h.printed).toEqual([{ kind: "redemption", entry: expect.objectContaining({ id: record?.id }) }]);
    expect(h.bells).toBe(0);
  });

  it("scan first, then the amount", () => {
    h = new FlowHarness();
    h.scan("66000001");
    expect(h.sale()).toMatchObject({
      step: "amount",
      amount: null,
      discount: null,
      lines: [{ code: "66000001", ok: true, offer: "立减￥10.00" }],
    });
    expect(h.sale().lines[0]?.discount).toBeUndefined();
    h.press("5", "0", "Enter");
    expect(h.sale()).toMatchObject({
      step: "review",
      amount: 5000,
      discount: 1000,
      payable: 4000,
      committable: true,
    });
    h.press("Enter");
    expect(h.screen.name).toBe("approved");
    expect(h.journal()).toHaveLength(1);
  });

  it("stacks stackable coupons in scan order", () => {
    h = new FlowHarness();
    h.press("100", "Enter").scan("88000001").scan("66000001");
    expect(h.sale()).toMatchObject({ discount: 3000, payable: 7000, committable: true });
    h.press("Enter");
    expect(h.journal()[0]).toMatchObject({
      discount: 3000,
      lines: [{ code: "88000001" }, { code: "66000001" }],
    });
  });

  it("a coupon that cannot be combined blocks the sale until removed with backspace", () => {
    h = new FlowHarness();
    h.press("150", "Enter").scan("66000001").scan("50000001");
    expect(h.sale()).toMatchObject({
      committable: false,
      lines: [{ ok: true }, { ok: false, reason: "not_stackable" }],
    });
    expect(h.bells).toBe(1);
    h.press("Enter");
    expect(h.view.notice?.code).toBe("remove_rejected");
    expect(h.journal()).toEqual([]);
    h.press("Backspace");
    expect(h.sale()).toMatchObject({ committable: true, discount: 1000, lines: [{ code: "66000001" }] });
  });

  it("explains a minimum spend and an expiry in the cashier's terms", () => {
    h = new FlowHarness();
    h.press("80", "Enter").scan("50000001");
    expect(h.sale().lines[0]).toMatchObject({
      ok: false,
      reason: "min_spend",
      detail: { minSpend: "￥100.00" },
    });
    h.press("Backspace").scan("44000001");
    expect(h.sale().lines[0]).toMatchObject({
      ok: false,
      reason: "expired",
      // The demo's ended campaign closed a day before NOW.
      detail: { validUntil: "2026-03-03 12:00" },
    });
  });

  it("a second redemption of the same code is refused as used, with when and where", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("66000001").press("Enter");
    expect(h.screen.name).toBe("approved");
    h.wait(5000);
    expect(h.screen.name).toBe("idle");
    h.press("60", "Enter").scan("66000001");
    expect(h.sale()).toMatchObject({
      committable: false,
      lines: [
        {
          ok: false,
          reason: "used",
          detail: { lastUse: { at: "2026-03-04 12:00", store: "S1", terminal: "T1" } },
        },
      ],
    });
    expect(h.bells).toBe(1);
    h.press("Enter");
    expect(h.screen.name).toBe("sale");
    expect(h.journal()).toHaveLength(1);
    expect(h.printed).toHaveLength(1);
  });

  it("a code used meanwhile is refused at commit and never shown approved", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("66000002");
    expect(h.sale().committable).toBe(true);
    // The same code redeemed elsewhere between the check and the confirmation.
    expect(h.fx.store.redeem({ amount: 5000, coupons: [{ code: "66000002" }] }, h.now, "bob").committed).toBe(
      true,
    );
    h.press("Enter");
    expect(h.screen.name).toBe("sale");
    expect(h.sale()).toMatchObject({ committable: false, lines: [{ reason: "used" }] });
    expect(h.view.notice).toMatchObject({ code: "commit_refused", tone: "error" });
    expect(h.journal()).toHaveLength(1);
    expect(h.printed).toEqual([]);
  });

  it("a commit that fails to reach the disk is never shown approved", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("66000001");
    h.fx.store.close();
    h.press("Enter");
    expect(h.screen.name).toBe("sale");
    expect(h.view.notice).toMatchObject({ code: "commit_failed", tone: "error" });
    expect(h.printed).toEqual([]);
  });

  it("a scan that is not a coupon code changes nothing", () => {
    h = new FlowHarness();
    h.scan("hello world!");
    expect(h.screen.name).toBe("idle");
    expect(h.view.notice).toMatchObject({ code: "not_a_coupon", params: { text: "hello world!" } });
    expect(h.bells).toBe(1);
    h.press("50", "Enter").scan("66000001");
    const before = h.sale();
    h.scan("x");
    expect(h.sale()).toEqual(before);
    expect(h.view.notice?.code).toBe("not_a_coupon");
  });

  it("cancel at any step commits nothing", () => {
    h = new FlowHarness();
    h.press("50", "-");
    expect(h.screen.name).toBe("idle");
    h.press("50", "Enter").scan("66000001").press("-", "-"); // with coupons: a second press
    expect(h.screen.name).toBe("idle");
    expect(h.view.notice).toMatchObject({ code: "cancelled", tone: "info" });
    h.scan("99000001");
    expect(h.sale().step).toBe("member");
    h.press("138", "-", "-");
    expect(h.screen.name).toBe("idle");
    h.press("/", "6600", "Escape");
    expect(h.screen.name).toBe("idle");
    expect(h.journal()).toEqual([]);
    expect(h.fx.store.status(h.now).redemptions).toBe(0);
  });

  it("a code typed on the keypad after the code key", () => {
    h = new FlowHarness();
    h.press("50", "Enter", "/", "66000001");
    expect(h.sale()).toMatchObject({ step: "code", codeText: "66000001" });
    h.press("Enter");
    expect(h.sale()).toMatchObject({ step: "review", payable: 4000, committable: true });
    h.press("/", "12", "Enter");
    expect(h.sale()).toMatchObject({ step: "code", codeText: "12" });
    expect(h.view.notice?.code).toBe("not_a_coupon");
    h.press("Backspace", "Backspace", "Backspace");
    expect(h.sale()).toMatchObject({ step: "review", lines: [{ code: "66000001" }] });
  });

  it("typing digits after confirming starts a new amount and keeps the coupons", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("88000001").press("2", "0", "0");
    expect(h.sale()).toMatchObject({
      step: "amount",
      amountText: "200",
      amount: null,
      lines: [{ ok: true }],
    });
    h.press("Enter");
    expect(h.sale()).toMatchObject({ amount: 20000, discount: 4000, payable: 16000 });
  });

  it("the menu key is refused in the middle of a sale", () => {
    h = new FlowHarness();
    h.press("50", "*");
    expect(h.sale().amountText).toBe("50");
    expect(h.view.notice?.code).toBe("finish_sale_first");
  });
});

describe("after APPROVED", () => {
  it("any key goes back to idle; a digit also starts the next amount", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("66000001").press("Enter", "Enter");
    expect(h.screen.name).toBe("idle");
    h.press("50", "Enter").scan("88000001").press("Enter", "7");
    expect(h.sale().amountText).toBe("7");
  });

  it("a scan starts the next sale", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("66000001").press("Enter");
    h.wait(2000).scan("88000001");
    expect(h.sale()).toMatchObject({ step: "amount", lines: [{ code: "88000001", ok: true }] });
  });
});

describe("a coupon that takes money off, on a bill with nothing to take off", () => {
  it("is refused on a ￥0 bill, with the reason, and Enter commits nothing", () => {
    h = new FlowHarness();
    h.press("0", "Enter").scan("66000001");
    expect(h.sale()).toMatchObject({
      step: "review",
      committable: false,
      lines: [{ code: "66000001", ok: false, reason: "nothing_off" }],
    });
    h.press("Enter");
    expect(h.screen.name).toBe("sale");
    expect(h.journal()).toEqual([]);
    expect(h.printed).toEqual([]);
  });
});

describe("keys and bursts that could cost the bill", () => {
  it("an amount arriving as one burst ('50.00' + Enter pasted) is the bill, not a coupon", () => {
    h = new FlowHarness();
    h.scan("50.00");
    expect(h.sale()).toMatchObject({ step: "review", amount: 5000 });
    expect(h.view.notice).toBeNull();
    h.scan("66000001").press("Enter");
    expect(h.journal()).toHaveLength(1);
    h.press("Enter");
    h.press("1").scan("128.5"); // replaces what was typed
    expect(h.sale()).toMatchObject({ step: "review", amount: 12850 });
    h.scan("12.345");
    expect(h.view.notice?.code).toBe("not_a_coupon"); // in review a burst is a scan again
    h.press("-");
    h.scan("99999999.99");
    expect(h.view.notice?.code).toBe("amount_too_large");
    expect(h.sale()).toMatchObject({ step: "amount", amount: null });
  });

  it("a stray digit during a sale keeps the coupons; cancel brings the bill back, Enter re-evaluates visibly", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("88000001").press("5");
    expect(h.sale()).toMatchObject({
      step: "amount",
      amountText: "5",
      replacing: 5000,
      lines: [{ ok: true }],
    });
    h.press("-");
    expect(h.sale()).toMatchObject({ step: "review", amount: 5000, discount: 1000, committable: true });
    expect(h.view.notice?.code).toBe("amount_kept");
    h.press("5", "Enter");
    expect(h.sale()).toMatchObject({ step: "review", amount: 500, discount: 100, payable: 400 });
    expect(h.view.notice).toMatchObject({
      code: "amount_changed",
      params: { from: "￥50.00", to: "￥5.00" },
    });
    expect(h.journal()).toEqual([]);
  });

  it("cancelling a sale with coupons takes a second press; any other key in between disarms it", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("88000001").scan("66000001").press("-");
    expect(h.sale().lines).toHaveLength(2);
    expect(h.view.notice).toMatchObject({ code: "cancel_confirm", tone: "error", params: { n: "2" } });
    h.press("Backspace", "-"); // one coupon removed; the press after it asks again
    expect(h.view.notice?.code).toBe("cancel_confirm");
    h.wait(15_000).press("-"); // too late to count as the second press
    expect(h.screen.name).toBe("sale");
    h.press("-");
    expect(h.screen.name).toBe("idle");
    expect(h.view.notice?.code).toBe("cancelled");
    expect(h.journal()).toEqual([]);
  });
});
