import { describe, expect, it } from "vitest";
import type { Locale } from "../../src/runtime/engine/labels.js";
import type { FlowView } from "../../src/runtime/flow/view.js";
import { renderScreen } from "../../src/ui-tty/screens/render.js";
import { type TtyOutput, TtyWriter, wantsColor } from "../../src/ui-tty/tty-writer.js";
import { views } from "./views.js";
import { XtermTty } from "./xterm-tty.js";

const SIZES = [
  [40, 15],
  [80, 24],
  [120, 40],
] as const;
const LOCALES: Locale[] = ["zh-CN", "en"];

/** A writer on a real terminal emulator, painting flow views as the daemon does. */
function display(cols: number, rows: number, locale: Locale, color = true) {
  const tty = new XtermTty(cols, rows);
  const errors: Error[] = [];
  const writer = new TtyWriter(tty, { color, onError: (e) => errors.push(e) });
  let current: FlowView = views.idle;
  const show = async (view: FlowView) => {
    current = view;
    writer.paint(renderScreen(view, { ...writer.size(), locale }));
    await tty.flush();
  };
  writer.onResized((size) => writer.paint(renderScreen(current, { ...size, locale })));
  return { tty, writer, errors, show };
}

describe("on a real terminal, at every size and in both languages", () => {
  for (const [cols, rows] of SIZES) {
    for (const locale of LOCALES) {
      it(`${cols}x${rows} ${locale}: amount, offer, discount and amount to pay are where a person reads them`, async () => {
        const { tty, show } = await withView(cols, rows, locale, views.review);
        const screen = tty.screen().join("\n");
        expect(screen).toContain("￥128.50");
        expect(screen).toContain("8折");
        expect(screen).toContain("-￥25.70");
        expect(screen).toContain(locale === "zh-CN" ? "可核销，按确认键完成" : "Accepted: confirm to redeem");
        const payRow = tty.rowOf(locale === "zh-CN" ? "应付" : "To pay");
        expect(tty.screen()[payRow]?.trimEnd().endsWith("￥102.80")).toBe(true);
        // Right-aligned on a row with Chinese text: ends exactly at the last column.
        expect(tty.lastUsedColumn(payRow)).toBe(cols - 1);
        expect(tty.cell(cols - 1, payRow).getChars()).toBe("0");
        await show(views.used);
        const used = tty.screen().join("\n");
        expect(used).toContain(locale === "zh-CN" ? "已使用" : "Already used");
        expect(used).toContain("2026-03-04 11:42");
      });
    }
  }

  it("wide characters take two cells, and nothing after them shifts", async () => {
    const { tty } = await withView(40, 15, "zh-CN", views.review);
    const y = tty.rowOf("金额");
    expect(tty.cell(0, y).getChars()).toBe("金");
    expect(tty.cell(0, y).getWidth()).toBe(2);
    expect(tty.cell(1, y).getWidth()).toBe(0);
    expect(tty.cell(2, y).getChars()).toBe("额");
    const amountAt = tty.screen()[y]?.indexOf("￥") ?? -1;
    // "￥128.50" is 8 columns, the last of them the last column of the screen.
    expect(tty.cell(40 - 8, y).getChars()).toBe("￥");
    expect(tty.cell(40 - 8, y).getWidth()).toBe(2);
    expect(amountAt).toBeGreaterThan(0);
    expect(tty.lastUsedColumn(y)).toBe(39);
  });

  it("colours the verdict: green approved, red rejected; bold and inverse without colour", async () => {
    const { tty, show } = await withView(80, 24, "zh-CN", views.approved);
    const approvedRow = tty.rowOf("核销成功");
    expect(tty.cell(0, approvedRow).getBgColor()).toBe(2);
    await show(views.used);
    const rejectedRow = tty.rowOf("不可核销");
    expect(tty.cell(0, rejectedRow).getBgColor()).toBe(1);

    const mono = await withView(80, 24, "zh-CN", views.used, false);
    const y = mono.tty.rowOf("不可核销");
    expect(mono.tty.cell(0, y).isInverse()).not.toBe(0);
    expect(mono.tty.cell(0, y).getBgColor()).toBe(-1);
    const colours = sgrParameters(mono.tty.writes.join("")).filter((p) => /(^|;)[34][0-7](;|$)/.test(p));
    expect(colours).toEqual([]);
  });

  it("NO_COLOR turns colour off", () => {
    expect(wantsColor(true, {})).toBe(true);
    expect(wantsColor(true, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColor(false, {})).toBe(false);
  });
});

describe("repainting", () => {
  it("writes only the rows that changed, and the result equals a full paint", async () => {
    const a = display(40, 15, "zh-CN");
    await a.show(views.idle);
    await a.show(views.typing);
    const before = a.tty.writes.length;
    await a.show({ ...views.typing, clock: "2026-03-04 12:01" });
    const delta = a.tty.writes.slice(before).join("");
    expect(cursorMoves(delta)).toEqual(["1;1"]);
    await a.show(views.review);
    await a.show(views.used);
    await a.show(views.approved);

    const b = display(40, 15, "zh-CN");
    await b.show(views.approved);
    expect(a.tty.snapshot()).toEqual(b.tty.snapshot());
  });

  it("paints nothing when nothing changed", async () => {
    const a = display(80, 24, "en");
    await a.show(views.review);
    const before = a.tty.writes.length;
    await a.show(views.review);
    expect(a.tty.writes.length).toBe(before);
  });

  it("repaints everything at the new size on resize", async () => {
    const a = display(80, 24, "zh-CN");
    await a.show(views.review);
    a.tty.resize(40, 15);
    await a.tty.flush();
    const screen = a.tty.screen();
    expect(screen).toHaveLength(15);
    expect(a.tty.lastUsedColumn(a.tty.rowOf("应付"))).toBe(39);

    const b = display(40, 15, "zh-CN");
    await b.show(views.review);
    expect(a.tty.snapshot()).toEqual(b.tty.snapshot());

    a.tty.resize(120, 40);
    await a.tty.flush();
    const c = display(120, 40, "zh-CN");
    await c.show(views.review);
    expect(a.tty.snapshot()).toEqual(c.tty.snapshot());
  });

  it("without a resize listener repaints the last screen cut to the new size", async () => {
    const tty = new XtermTty(80, 24);
    const writer = new TtyWriter(tty, { color: true, onError: () => {} });
    writer.paint(renderScreen(views.review, { cols: 80, rows: 24, locale: "en" }));
    tty.resize(40, 10);
    await tty.flush();
    expect(tty.screen()[0]).toContain("幸福小馆");
    expect(tty.screen()).toHaveLength(10);
  });

  it("after a failed write, reports it and repaints fully", async () => {
    const a = display(40, 15, "en");
    await a.show(views.idle);
    a.tty.failNextWrite = new Error("EIO");
    await a.show(views.typing);
    await new Promise((r) => setTimeout(r, 0));
    expect(a.errors.map((e) => e.message)).toEqual(["EIO"]);
    // The emulator never saw that write; the next paint must restore the whole screen.
    await a.show(views.review);
    const b = display(40, 15, "en");
    await b.show(views.review);
    expect(a.tty.snapshot()).toEqual(b.tty.snapshot());
  });

  it("rings the bell, hides the cursor while painting and restores it on close", async () => {
    const a = display(40, 15, "en");
    await a.show(views.idle);
    expect(a.tty.writes[0]).toContain("\u001b[?25l");
    a.writer.bell();
    expect(a.tty.writes.at(-1)).toBe("\u0007");
    a.writer.close();
    expect(a.tty.writes.at(-1)).toContain("\u001b[?25h");
    expect(a.tty.listenerCount("resize")).toBe(0);
  });

  it("takes process.stdout as its output", () => {
    const out: TtyOutput = process.stdout;
    expect(typeof out.write).toBe("function");
  });
});

async function withView(cols: number, rows: number, locale: Locale, view: FlowView, color = true) {
  const d = display(cols, rows, locale, color);
  await d.show(view);
  return d;
}

const CSI = "\u001b[";

/** The parameters of every SGR sequence (ESC [ ... m) in the data. */
function sgrParameters(data: string): string[] {
  return data.split(CSI).flatMap((s) => /^([0-9;]*)m/.exec(s)?.[1] ?? []);
}

/** The row;column of every cursor positioning (ESC [ row ; col H) in the data. */
function cursorMoves(data: string): string[] {
  return data.split(CSI).flatMap((s) => /^(\d+;\d+)H/.exec(s)?.[1] ?? []);
}
