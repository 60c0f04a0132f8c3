import { describe, expect, it } from "vitest";
import { center, padEnd, padStart, spreadOnScreen, truncate } from "../../../src/runtime/text/fit.js";
import { screenSafe, screenWidth } from "../../../src/runtime/text/measure.js";
import { wrapForScreen } from "../../../src/runtime/text/wrap.js";

describe("display width", () => {
  it("counts CJK and fullwidth forms as two columns", () => {
    expect(screenWidth("金额")).toBe(4);
    expect(screenWidth("￥128.50")).toBe(8);
    expect(screenWidth("8折")).toBe(3);
    expect(screenWidth("e\u0301")).toBe(1);
  });

  it("never lets control characters through", () => {
    expect(screenSafe("a\u001b[2Jb\tc")).toBe("a?[2Jb?c");
    expect(screenWidth("\u001b[31mred")).toBe(screenWidth("?[31mred"));
  });
});

describe("cutting and padding", () => {
  it("never splits a wide character nor exceeds the width", () => {
    for (let w = 0; w <= 8; w++) {
      const cut = truncate("中文字符测试", w);
      expect(screenWidth(cut)).toBeLessThanOrEqual(w);
      expect(cut.replace("…", "")).toMatch(/^[中文字符测试]*$/);
    }
    expect(truncate("中文字符", 5)).toBe("中文…");
    expect(truncate("中文字符", 4)).toBe("中…");
    expect(truncate("中文", 4)).toBe("中文");
    expect(truncate("中文", 1)).toBe("…");
  });

  it("pads to exactly the width, left, right or centred", () => {
    for (const text of ["", "abc", "金额", "满100减20，最高减￥50.00", "x中"]) {
      for (const w of [1, 2, 3, 7, 10]) {
        expect(screenWidth(padEnd(text, w))).toBe(w);
        expect(screenWidth(padStart(text, w))).toBe(w);
        expect(screenWidth(center(text, w))).toBe(w);
      }
    }
    expect(padStart("￥1", 5)).toBe("  ￥1");
    expect(center("中", 5)).toBe(" 中  ");
    expect(padEnd("中文", 3)).toBe("中…");
    expect(padEnd("中文", 2)).toBe("… ");
  });

  it("spreads a label and a value across the width, the value flush right", () => {
    expect(spreadOnScreen("应付", "￥102.80", 20)).toBe("应付        ￥102.80");
    expect(screenWidth(spreadOnScreen("一个很长很长很长的标签", "￥102.80", 16))).toBe(16);
    expect(spreadOnScreen("一个很长很长很长的标签", "￥102.80", 16).endsWith("￥102.80")).toBe(true);
    expect(spreadOnScreen("a", "一二三四五六", 6)).toBe(" 一二…");
  });
});

describe("wrapping", () => {
  it("breaks words at spaces and CJK anywhere, never over the width", () => {
    expect(wrapForScreen("Receipt not printed: redemption saved", 20)).toEqual([
      "Receipt not printed:",
      "redemption saved",
    ]);
    const zh = wrapForScreen("小票未打印——核销已保存，可在菜单补打", 11);
    for (const l of zh) expect(screenWidth(l)).toBeLessThanOrEqual(11);
    expect(zh.join("")).toBe("小票未打印——核销已保存，可在菜单补打");
    expect(wrapForScreen("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
  });
});
