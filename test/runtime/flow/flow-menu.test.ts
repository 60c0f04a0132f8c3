import { afterEach, describe, expect, it } from "vitest";
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
    h.press("Enter", "*", "4");
    const closedAt = h.now;
    expect(h.printed.at(-1)).toEqual({ kind: "report", report: "Z", from: midnightShanghai, to: closedAt });
    // The next reports start where the Z closed the books, also after a restart; no overlap.
    h.now += 3_600_000;
    h.press("Enter", "*", "3");
    expect(h.printed.at(-1)).toEqual({ kind: "report", report: "X", from: closedAt, to: h.now });
    expect(h.fx.reopen().lastDayClose()).toBe(closedAt);
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
