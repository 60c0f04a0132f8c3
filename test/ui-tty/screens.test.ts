import { describe, expect, it } from "vitest";
import type { Locale } from "../../src/runtime/engine/labels.js";
import { resolveKeymap } from "../../src/runtime/flow/keymap.js";
import { screenWidth } from "../../src/runtime/text/measure.js";
import { renderScreen } from "../../src/ui-tty/screens/render.js";
import { views } from "./views.js";

const SIZES = [
  [40, 15],
  [80, 24],
  [120, 40],
  [41, 16],
  [100, 30],
] as const;
const LOCALES: Locale[] = ["zh-CN", "en"];

const text = (name: keyof typeof views, cols: number, rows: number, locale: Locale) =>
  renderScreen(views[name], { cols, rows, locale }).map((l) => l.text);

describe("every screen at every size", () => {
  it("is exactly rows lines of exactly cols columns", () => {
    for (const [name, view] of Object.entries(views)) {
      for (const [cols, rows] of SIZES) {
        for (const locale of LOCALES) {
          const lines = renderScreen(view, { cols, rows, locale });
          expect(lines, `${name} ${cols}x${rows} ${locale}`).toHaveLength(rows);
          for (const l of lines)
            expect(screenWidth(l.text), `${name} ${cols}x${rows}: "${l.text}"`).toBe(cols);
        }
      }
    }
  });
});

describe("what the cashier reads", () => {
  it("the bill, the discount and the amount to pay, in both languages", () => {
    for (const [cols, rows] of SIZES) {
      const zh = text("review", cols, rows, "zh-CN").join("\n");
      expect(zh).toMatch(/金额 +￥128\.50/);
      expect(zh).toMatch(/优惠 +-￥25\.70/);
      expect(zh).toMatch(/应付 +￥102\.80/);
      expect(zh).toContain("8折");
      expect(zh).toContain("可核销");
      const en = text("review", cols, rows, "en").join("\n");
      expect(en).toMatch(/To pay +￥102\.80/);
      expect(en).toContain("Accepted: confirm to redeem");
    }
  });

  it("a refusal in words, with when and where the coupon was used", () => {
    const zh = text("used", 40, 15, "zh-CN");
    expect(zh.some((l) => /66000001 +已使用$/.test(l))).toBe(true);
    expect(zh.join("\n")).toContain("于 2026-03-04 11:42 在 S1/T1");
    expect(zh.join("\n")).toContain("不可核销：已使用");
    const en = text("used", 40, 15, "en").join("\n");
    expect(en).toContain("Already used");
    expect(en).toContain("on 2026-03-04 11:42 at S1/T1");
    expect(text("minSpend", 40, 15, "zh-CN").join("\n")).toContain("未达最低消费 ￥100.00");
    expect(text("minSpend", 40, 15, "en").join("\n")).toContain("Minimum spend ￥100.00");
  });

  it("the member prompt shows the phone as it is typed", () => {
    const zh = text("member", 40, 15, "zh-CN").join("\n");
    expect(zh).toMatch(/手机号 +1380013_/);
    expect(zh).toContain("会员专享");
  });

  it("small screens drop secondary rows first, never the verdict or the totals", () => {
    const small = text("manyCoupons", 40, 15, "zh-CN");
    expect(small.join("\n")).toContain("另有 8 张券");
    expect(small.join("\n")).toMatch(/应付 +￥102\.80/);
    expect(small.join("\n")).toContain("可核销");
    expect(small.at(-1)).toContain("Enter");
  });

  it("large screens show the amount to pay in block letters", () => {
    const big = text("review", 120, 40, "en");
    expect(big.filter((l) => l.includes("██")).length).toBe(5);
    expect(text("review", 40, 15, "en").some((l) => l.includes("██"))).toBe(false);
    expect(text("approved", 80, 24, "zh-CN").filter((l) => l.includes("██")).length).toBe(10);
  });

  it("a failed print says the redemption is saved and how to reprint", () => {
    expect(text("approvedPrintFailed", 40, 15, "zh-CN").join("")).toContain("核销已保存，可在菜单补打");
    expect(text("idleTroubled", 40, 15, "en").join(" ")).toContain("redemption saved, reprint from menu");
    const idle = text("idleTroubled", 40, 15, "zh-CN").join("\n");
    expect(idle).toMatch(/网络 +离线/);
    expect(idle).toMatch(/打印机 +缺纸/);
    expect(idle).toMatch(/时钟 +未校准/);
  });

  it("the clock's status says what `quan doctor` says: NTP synchronised or not", () => {
    const idle = (health: Partial<(typeof views)["idle"]["health"]>, locale: Locale) =>
      renderScreen(
        { ...views.idle, health: { ...views.idle.health, ...health } },
        { cols: 40, rows: 15, locale },
      )
        .map((l) => l.text)
        .join("\n");
    expect(idle({}, "zh-CN")).toMatch(/时钟 +已同步/);
    expect(idle({}, "en")).toMatch(/Clock +NTP synchronised/);
    // Not synchronised, but not behind the trusted time: time-limited coupons still work.
    const unsynced = idle({ clockSynchronized: false }, "zh-CN");
    expect(unsynced).toMatch(/时钟 +未同步/);
    expect(unsynced).not.toContain("限时券暂不可用");
    expect(idle({ clockSynchronized: false }, "en")).toMatch(/Clock +not NTP synchronised/);
    const behind = idle({ clockSynchronized: false, clockTrusted: false }, "zh-CN");
    expect(behind).toMatch(/时钟 +未校准/);
    expect(behind).toContain("限时券暂不可用");
  });

  it("says when there is no coupon list, and never lets a scanned escape sequence through", () => {
    const idle = text("idleNoList", 40, 15, "zh-CN").join("\n");
    expect(idle).toMatch(/券表 +未导入，无法核销/);
    expect(idle).toContain("不是券码：?[2J?扫码枪乱码");
    expect(idle).not.toContain("\u001b");
    expect(idle).not.toContain("\u0007");
  });

  it("key hints follow the keymap", () => {
    const keymap = resolveKeymap({ "*": "manual", "/": "menu" });
    const idle = renderScreen(views.idle, { cols: 80, rows: 24, locale: "en", keymap }).map((l) => l.text);
    expect(idle.at(-1)).toMatch(/^\/ menu {2}\* code/);
  });
});
