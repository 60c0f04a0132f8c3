import { afterEach, describe, expect, it } from "vitest";
import { renderScreen } from "../../../src/ui-tty/screens/render.js";
import { MANAGER_PIN } from "../../helpers/store-fixture.js";
import { FlowHarness } from "./flow-harness.js";

let h: FlowHarness;
afterEach(() => h?.cleanup());

function redeemOne(code = "66000001"): string {
  h.press("50", "Enter").scan(code).press("Enter");
  const screen = h.screen;
  if (screen.name !== "approved") throw new Error(`not approved: ${JSON.stringify(h.view.notice)}`);
  h.wait(5000);
  return screen.receipt.id;
}

describe("void the last redemption", () => {
  it("with the manager PIN: journaled, receipt printed, the use restored", () => {
    h = new FlowHarness();
    const id = redeemOne();
    h.press("*", "1");
    expect(h.screen).toMatchObject({ name: "void_pin", pinLength: 0, attemptsLeft: 3, target: { id } });
    h.press(MANAGER_PIN);
    expect(h.screen).toMatchObject({ name: "void_pin", pinLength: 4 });
    expect(JSON.stringify(h.view)).not.toContain(MANAGER_PIN);
    h.press("Enter");
    expect(h.screen).toMatchObject({ name: "done", what: "voided", receipt: { id } });
    const voidRecord = h.journal()[1];
    expect(voidRecord).toMatchObject({ type: "void", target: id, cashier: "alice" });
    expect(h.printed.at(-1)).toEqual({
      kind: "void",
      entry: expect.objectContaining({ target: id }),
      original: expect.objectContaining({ id }),
    });
    expect(h.fx.store.redemption(id)?.voided).toBe(true);
    h.wait(5000).press("50", "Enter").scan("66000001");
    expect(h.sale().committable).toBe(true);
  });

  it("a wrong PIN is refused with the attempts left; too many end the void", () => {
    h = new FlowHarness();
    const id = redeemOne();
    h.press("*", "1", "1111", "Enter");
    expect(h.screen).toMatchObject({ name: "void_pin", pinLength: 0, attemptsLeft: 2 });
    expect(h.view.notice).toMatchObject({ code: "void_bad_pin", params: { left: "2" } });
    expect(h.bells).toBe(1);
    h.press("2222", "Enter", "3333", "Enter");
    expect(h.screen.name).toBe("idle");
    expect(h.view.notice?.code).toBe("void_too_many_attempts");
    expect(h.fx.store.redemption(id)?.voided).toBe(false);
    expect(h.journal()).toHaveLength(1);
    // Guessing costs time: voids stay refused for a while, even with the right PIN.
    h.press("*", "1");
    expect(h.screen.name).toBe("menu");
    expect(h.view.notice).toMatchObject({ code: "void_locked", params: { minutes: "5" } });
    h.press("-");
    h.now += 5 * 60_000;
    h.press("*", "1", MANAGER_PIN, "Enter");
    expect(h.screen).toMatchObject({ name: "done", what: "voided" });
  });

  it("nothing to void on a fresh terminal; a void after the window is refused", () => {
    h = new FlowHarness();
    h.press("*", "1");
    expect(h.screen.name).toBe("menu");
    expect(h.view.notice?.code).toBe("nothing_to_void");
    h.press("-");
    redeemOne();
    h.now += 31 * 60_000;
    h.press("*", "1", MANAGER_PIN, "Enter");
    expect(h.screen.name).toBe("menu");
    expect(h.view.notice?.code).toBe("void_window_passed");
  });
});

describe("reprint and reports", () => {
  it("reprints the last receipt, marked as a reprint", () => {
    h = new FlowHarness();
    h.press("*", "2");
    expect(h.view.notice?.code).toBe("nothing_to_reprint");
    h.press("-");
    const id = redeemOne();
    h.press("*", "2");
    expect(h.screen).toMatchObject({ name: "done", what: "reprinted", receipt: { id } });
    expect(h.printed.at(-1)).toEqual({
      kind: "redemption",
      entry: expect.objectContaining({ id }),
      reprint: true,
    });
  });

  it("asks for the shift (X) and end-of-day (Z) reports over the store's day", () => {
    h = new FlowHarness();
    h.press("*", "3");
    expect(h.screen).toMatchObject({ name: "done", what: "report_X" });
    const midnightShanghai = Date.parse("2026-03-03T16:00:00Z");
    expect(h.printed.at(-1)).toEqual({ kind: "report", report: "X", from: midnightShanghai, to: h.now });
    h.press("Enter", "*", "4", MANAGER_PIN, "Enter");
    const closedAt = h.now;
    expect(h.printed.at(-1)).toEqual({
      kind: "report",
      report: "Z",
      no: 1,
      from: midnightShanghai,
      to: closedAt,
    });
    // The next reports start where the Z closed the books, also after a restart; no overlap.
    h.now += 3_600_000;
    h.press("Enter", "*", "3");
    expect(h.printed.at(-1)).toEqual({ kind: "report", report: "X", from: closedAt, to: h.now });
    expect(h.fx.reopen().lastDayClose()).toMatchObject({ to: closedAt });
  });

  it("the menu closes with cancel or the menu key", () => {
    h = new FlowHarness();
    h.press("*");
    expect(h.screen.name).toBe("menu");
    h.press("*");
    expect(h.screen.name).toBe("idle");
    h.press("*", "-");
    expect(h.screen.name).toBe("idle");
  });
});

describe("a failed print", () => {
  it("is shown with the redemption saved, and cleared by a reprint that works", () => {
    h = new FlowHarness();
    h.printFailure = "out of paper";
    const id = redeemOne();
    expect(h.journal()).toHaveLength(1);
    expect(h.view.printProblem).toEqual({ job: "redemption", detail: "out of paper" });
    expect(h.screen.name).toBe("idle");
    expect(h.bells).toBe(1);
    h.printFailure = null;
    h.press("*", "2");
    expect(h.printed.at(-1)).toMatchObject({ kind: "redemption", entry: { id }, reprint: true });
    expect(h.view.printProblem).toBeNull();
  });

  it("also when the printer rejects later", async () => {
    h = new FlowHarness();
    h.printFailure = new Error("printer offline");
    const seen: (string | undefined)[] = [];
    h.flow.onChange((v) => seen.push(v.printProblem?.detail));
    h.press("50", "Enter").scan("66000001").press("Enter");
    expect(h.screen.name).toBe("approved");
    await Promise.resolve();
    await Promise.resolve();
    expect(h.view.printProblem).toEqual({ job: "redemption", detail: "printer offline" });
    expect(h.screen.name).toBe("approved");
    expect(seen.at(-1)).toBe("printer offline");
  });

  it("can be dismissed on the idle screen", () => {
    h = new FlowHarness();
    h.printFailure = "jam";
    redeemOne();
    h.press("-");
    expect(h.view.printProblem).toBeNull();
  });
});

describe("the done screen follows the print", () => {
  it("says printing while the printer works, then printed, or that it failed", async () => {
    h = new FlowHarness();
    redeemOne();
    h.holdPrints = true;
    h.press("*", "2");
    expect(h.screen).toMatchObject({ name: "done", what: "reprinted", print: "printing" });
    expect(screenText(h)).toContain("打印中");
    await h.finishPrints();
    expect(h.screen).toMatchObject({ name: "done", what: "reprinted", print: "printed" });
    expect(screenText(h)).not.toContain("打印中");
    expect(screenText(h)).toContain("已打印");

    h.press("Enter", "*", "3");
    expect(h.screen).toMatchObject({ name: "done", what: "report_X", print: "printing" });
    await h.finishPrints(new Error("out of paper"));
    expect(h.screen).toMatchObject({ name: "done", what: "report_X", print: "failed" });
    const text = screenText(h);
    expect(text).not.toContain("打印中");
    expect(text).toContain("打印失败");
    expect(text).toContain("out of paper");
  });

  it("a print that works at once is shown as printed", () => {
    h = new FlowHarness();
    h.press("*", "3");
    expect(h.screen).toMatchObject({ name: "done", what: "report_X", print: "printed" });
  });
});

describe("reprint after a void", () => {
  it("prints the void slip and shows the redemption as voided, not with OK lines", () => {
    h = new FlowHarness();
    const id = redeemOne();
    h.press("*", "1", MANAGER_PIN, "Enter").wait(5000);
    h.press("*", "2");
    expect(h.printed.at(-1)).toMatchObject({ kind: "void", original: { id }, reprint: true });
    expect(h.screen).toMatchObject({ name: "done", what: "reprinted", receipt: { id, voided: true } });
    const text = screenText(h);
    expect(text).toContain("已撤销");
    expect(text).not.toMatch(/OK 66000001/);
    // After a restart the terminal still knows the last slip was a void.
    h.wait(5000).restart().press("*", "2");
    expect(h.printed.at(-1)).toMatchObject({ kind: "void", original: { id }, reprint: true });
    expect(h.screen).toMatchObject({ receipt: { id, voided: true } });
  });
});

describe("the menu voids only the most recent redemption, once", () => {
  it("after voiding the last one, the one before is not offered", () => {
    h = new FlowHarness();
    redeemOne("66000001");
    const last = redeemOne("66000002");
    h.press("*", "1", MANAGER_PIN, "Enter").wait(5000);
    expect(h.fx.store.redemption(last)?.voided).toBe(true);
    h.press("*", "1");
    expect(h.screen.name).toBe("menu");
    expect(h.view.notice?.code).toBe("void_already_voided");
    expect(h.journal()).toHaveLength(3);
    h.press("-").restart().press("*", "1");
    expect(h.screen.name).toBe("menu");
    expect(h.view.notice?.code).toBe("void_already_voided");
  });

  it("the store refuses a menu void of anything but the newest redemption", () => {
    h = new FlowHarness();
    const first = redeemOne("66000001");
    redeemOne("66000002");
    expect(() => h.fx.store.voidLastRedemption(first, h.now, "m", MANAGER_PIN)).toThrow(
      expect.objectContaining({ reason: "not_last" }),
    );
    expect(h.fx.store.redemption(first)?.voided).toBe(false);
  });
});

describe("the end-of-day (Z) report", () => {
  it("needs the manager PIN, is numbered, kept and reprintable as a copy", () => {
    h = new FlowHarness();
    const from = Date.parse("2026-03-03T16:00:00Z");
    h.press("*", "4");
    expect(h.screen).toMatchObject({ name: "z_pin", zNo: 1, pinLength: 0 });
    expect(h.printed).toHaveLength(0);
    h.press("1111", "Enter");
    expect(h.view.notice?.code).toBe("void_bad_pin");
    expect(h.fx.store.lastDayClose()).toBeNull();
    expect(h.printed).toHaveLength(0);
    h.press(MANAGER_PIN, "Enter");
    const closedAt = h.now;
    expect(h.screen).toMatchObject({ name: "done", what: "report_Z", zNo: 1 });
    expect(h.printed.at(-1)).toEqual({ kind: "report", report: "Z", no: 1, from, to: closedAt });
    // Numbered across restarts, monotonic; the next period starts where this one closed.
    h.now += 3_600_000;
    h.press("Enter").restart();
    expect(h.fx.store.lastDayClose()).toEqual({ no: 1, from, to: closedAt });
    h.press("*", "4");
    expect(h.screen).toMatchObject({ name: "z_pin", zNo: 2 });
    h.press(MANAGER_PIN, "Enter");
    expect(h.printed.at(-1)).toEqual({ kind: "report", report: "Z", no: 2, from: closedAt, to: h.now });
    // Reprint of the last Z: the same period and number, marked as a copy.
    h.press("Enter", "*", "5");
    expect(h.printed.at(-1)).toEqual({
      kind: "report",
      report: "Z",
      no: 2,
      from: closedAt,
      to: h.now,
      reprint: true,
    });
  });

  it("a Z whose print failed is closed all the same and can be reprinted", () => {
    h = new FlowHarness();
    h.printFailure = "out of paper";
    h.press("*", "4", MANAGER_PIN, "Enter");
    expect(h.view.printProblem).toMatchObject({ job: "report" });
    expect(h.fx.store.lastDayClose()).toMatchObject({ no: 1 });
    h.printFailure = null;
    h.press("Enter", "-", "*", "5");
    expect(h.printed.at(-1)).toMatchObject({ kind: "report", report: "Z", no: 1, reprint: true });
    expect(h.view.printProblem).toBeNull();
  });

  it("nothing to reprint before the first Z", () => {
    h = new FlowHarness();
    h.press("*", "5");
    expect(h.view.notice?.code).toBe("nothing_to_reprint");
    expect(h.printed).toHaveLength(0);
  });
});

describe("the PIN lockout is kept by the store", () => {
  it("survives a restart, and covers the Z report too; it ends with time", () => {
    h = new FlowHarness();
    redeemOne();
    h.press("*", "1", "1111", "Enter", "2222", "Enter", "3333", "Enter");
    expect(h.view.notice?.code).toBe("void_too_many_attempts");
    h.restart().press("*", "1");
    expect(h.screen.name).toBe("menu");
    expect(h.view.notice).toMatchObject({ code: "void_locked", params: { minutes: "5" } });
    h.press("4");
    expect(h.screen.name).toBe("menu");
    expect(h.view.notice?.code).toBe("void_locked");
    h.press("-");
    h.now += 5 * 60_000;
    h.press("*", "1");
    expect(h.screen).toMatchObject({ name: "void_pin", attemptsLeft: 3 });
  });

  it("wrong PINs count across the doors until the right one", () => {
    h = new FlowHarness();
    redeemOne();
    h.press("*", "1", "1111", "Enter", "-");
    h.restart().press("*", "1");
    expect(h.screen).toMatchObject({ name: "void_pin", attemptsLeft: 2 });
    h.press(MANAGER_PIN, "Enter");
    expect(h.screen).toMatchObject({ name: "done", what: "voided" });
    expect(h.fx.store.pinLock(h.now)).toEqual({ attemptsLeft: 3, lockedUntil: null });
  });
});

function screenText(harness: FlowHarness): string {
  return renderScreen(harness.view, { cols: 48, rows: 20, locale: "zh-CN" })
    .map((l) => l.text)
    .join("\n");
}
