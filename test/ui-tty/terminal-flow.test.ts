import { afterEach, describe, expect, it } from "vitest";
import type { Locale } from "../../src/runtime/engine/labels.js";
import { renderScreen } from "../../src/ui-tty/screens/render.js";
import { TtyWriter } from "../../src/ui-tty/tty-writer.js";
import { FlowHarness, MEMBER_PHONE } from "../runtime/flow/flow-harness.js";
import { XtermTty } from "./xterm-tty.js";

let h: FlowHarness;
afterEach(() => h?.cleanup());

/** The whole display path: the real flow on a real store, the screens, the writer, a terminal. */
function terminal(cols: number, rows: number, locale: Locale) {
  h = new FlowHarness({ locale });
  const tty = new XtermTty(cols, rows);
  const writer = new TtyWriter(tty, {
    color: true,
    onError: (err) => {
      throw err;
    },
  });
  const paint = () => writer.paint(renderScreen(h.view, { ...writer.size(), locale }));
  h.flow.onChange(paint);
  writer.onResized(paint);
  paint();
  const text = async () => {
    await tty.flush();
    return tty.screen().join("\n");
  };
  return { tty, text };
}

describe("a sale as the cashier sees it", () => {
  it("40x15 in Chinese: amount, verdict, totals, approval", async () => {
    const { tty, text } = terminal(40, 15, "zh-CN");
    expect(await text()).toContain("请输入金额或扫码");
    h.press("128.5");
    expect(await text()).toContain("￥128.5_");
    h.press("Enter").scan("88000001");
    const review = await text();
    expect(review).toMatch(/OK 88000001 8折，最高减￥50\.00 +-￥25\.70/);
    expect(review).toMatch(/应付 +￥102\.80/);
    expect(review).toContain("可核销，按确认键完成");
    h.press("Enter");
    const approved = await text();
    expect(approved).toContain("核销成功");
    expect(approved).toMatch(/请收款 +￥102\.80/);
    expect(tty.cell(0, tty.rowOf("核销成功")).getBgColor()).toBe(2);
  });

  it("80x24 in English: a used coupon is refused in words, in red", async () => {
    const { tty, text } = terminal(80, 24, "en");
    h.press("50", "Enter").scan("66000001").press("Enter");
    h.wait(5000).press("60", "Enter").scan("66000001");
    const screen = await text();
    expect(screen).toMatch(/× {2}66000001 +Already used/);
    expect(screen).toContain("on 2026-03-04 12:00 at S1/T1");
    expect(screen).toContain("Refused: Already used");
    expect(tty.cell(0, tty.rowOf("Refused: Already used")).getBgColor()).toBe(1);
  });

  it("120x40: the member's phone shows while typed (a typo can be seen), then all but the last 4 masked", async () => {
    const { text } = terminal(120, 40, "zh-CN");
    h.press("50", "Enter").scan("99000001").press("1380013");
    expect(await text()).toMatch(/手机号 +1380013_/);
    h.press("8000", "Enter");
    const identified = await text();
    expect(identified).toMatch(/会员 +已识别 \*{7}8000/);
    expect(identified).not.toContain(MEMBER_PHONE);
  });

  it("a code typed by hand on the console shows as it is typed", async () => {
    const { text } = terminal(40, 15, "zh-CN");
    h.flow.handle({ type: "typing", text: "AB" }, h.now);
    expect(await text()).toMatch(/券码 +AB_/);
    h.flow.handle({ type: "typing", text: "ABC" }, h.now);
    expect(await text()).toMatch(/券码 +ABC_/);
    h.flow.handle({ type: "typing", text: null }, h.now);
    expect(await text()).not.toContain("券码");
  });

  it("the bottom lines describe one coupon: the latest refused, named, and the notice about it", async () => {
    const { text } = terminal(40, 15, "zh-CN");
    h.press("200", "Enter").scan("44000001").scan("66000001").scan("50000001");
    const screen = await text();
    expect(screen).toContain("券不可用：50000001");
    expect(screen).toContain("不可核销 50000001：不可与其他券同用");
    expect(screen).not.toContain("不可核销：已过期");
    h.press("Backspace"); // removes 50000001: the expired one is the refused one left
    expect(await text()).toContain("不可核销 44000001：已过期");
  });

  it("a voucher on a ￥0 bill: the cashier reads why it is refused, in both languages", async () => {
    const zh = terminal(40, 15, "zh-CN");
    h.press("0", "Enter").scan("66000001");
    expect(await zh.text()).toContain("不可核销：本单无可减金额，券不扣用");
    h.cleanup();
    const en = terminal(80, 24, "en");
    h.press("0", "Enter").scan("66000001");
    expect(await en.text()).toContain("Refused: Takes nothing off this bill: not used");
  });

  it("a resize in the middle of a sale repaints it at the new size", async () => {
    const { tty, text } = terminal(80, 24, "zh-CN");
    h.press("100", "Enter").scan("66000001");
    tty.resize(40, 15);
    const screen = await text();
    expect(screen).toMatch(/应付 +￥90\.00/);
    expect(tty.lastUsedColumn(tty.rowOf("应付"))).toBe(39);
  });
});
