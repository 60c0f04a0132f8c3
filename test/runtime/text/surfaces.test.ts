import { describe, expect, it } from "vitest";
import { spreadOnPaper, spreadOnScreen } from "../../../src/runtime/text/fit.js";
import { paperWidth, screenWidth } from "../../../src/runtime/text/measure.js";
import { wrapForPaper, wrapForScreen } from "../../../src/runtime/text/wrap.js";

describe("the screen and the paper measure the same text differently", () => {
  it("agree on ASCII and CJK, differ on East Asian ambiguous and combining characters", () => {
    for (const text of ["Total 128.50", "券核销凭证", "￥128.50"])
      expect(paperWidth(text)).toBe(screenWidth(text));
    // A terminal draws "é", "·" and "—" one column wide; the printer draws their GB18030 form full width.
    expect([screenWidth("Café"), paperWidth("Café")]).toEqual([4, 5]);
    expect([screenWidth("A·B"), paperWidth("A·B")]).toEqual([3, 4]);
    expect([screenWidth("——"), paperWidth("——")]).toEqual([2, 4]);
    expect([screenWidth("e\u0301"), paperWidth("e\u0301")]).toEqual([1, 2]);
  });

  it("right-aligns an amount on each surface so it ends at the last column", () => {
    const screen = spreadOnScreen("Café", "￥12.00", 16);
    const paper = spreadOnPaper("Café", "￥12.00", 16);
    expect(screenWidth(screen)).toBe(16);
    expect(paperWidth(paper)).toBe(16);
    // One space fewer on paper, where "é" takes two columns.
    expect(screen.length - paper.length).toBe(1);
  });

  it("a pair too wide is cut on the screen but refused on paper (a layout bug, never silent)", () => {
    expect(screenWidth(spreadOnScreen("一个很长很长的标签", "￥102.80", 12))).toBe(12);
    expect(() => spreadOnPaper("一个很长很长的标签", "￥102.80", 12)).toThrow(RangeError);
  });

  it("wraps with the same rules on both, keeping closing punctuation with its character", () => {
    expect(wrapForScreen("人民广场店（南京东路）", 20)).toEqual(wrapForPaper("人民广场店（南京东路）", 20));
    expect(wrapForScreen("甲乙丙丁，戊", 8)).toEqual(["甲乙丙", "丁，戊"]);
    expect(wrapForScreen("line one\nline two", 20)).toEqual(["line one", "line two"]);
  });
});
