import { describe, expect, it } from "vitest";
import { paperSafe, paperWidth } from "../../../src/runtime/text/measure.js";
import { wrapForPaper } from "../../../src/runtime/text/wrap.js";

describe("printer columns", () => {
  it("counts ASCII as one column and CJK, the full-width yen sign and other non-ASCII as two", () => {
    expect(paperWidth("Bill")).toBe(4);
    expect(paperWidth("券核销凭证")).toBe(10);
    expect(paperWidth("￥128.50")).toBe(8);
    // string-width says 1 for "é", but a Chinese printer draws its GB18030 form full width.
    expect(paperWidth("Café")).toBe(5);
  });

  it("wraps English at spaces and Chinese between characters", () => {
    expect(wrapForPaper("Weekend special for members", 12)).toEqual(["Weekend", "special for", "members"]);
    expect(wrapForPaper("周末特惠满减活动", 10)).toEqual(["周末特惠满", "减活动"]);
  });

  it("keeps closing punctuation with the character before it", () => {
    expect(wrapForPaper("人民广场店（南京东路）", 20)).toEqual(["人民广场店（南京东", "路）"]);
    expect(wrapForPaper("甲乙丙丁，戊", 8)).toEqual(["甲乙丙", "丁，戊"]);
  });

  it("splits a word longer than the line", () => {
    expect(wrapForPaper("01JD2K3M4N5P6Q7R8S9T0V1W2X", 10)).toEqual(["01JD2K3M4N", "5P6Q7R8S9T", "0V1W2X"]);
  });

  it("never returns a line wider than asked, even for odd widths and mixed text", () => {
    const text = "满100减20 Weekend（周末）special ￥20 off 超值活动 a-very-long-hyphenated-word";
    for (let width = 3; width <= 48; width++) {
      for (const line of wrapForPaper(text, width)) expect(paperWidth(line)).toBeLessThanOrEqual(width);
    }
  });

  it("keeps explicit newlines and empty text as lines", () => {
    expect(wrapForPaper("a\nb", 10)).toEqual(["a", "b"]);
    expect(wrapForPaper("", 10)).toEqual([""]);
  });

  it("replaces control characters, which the printer would take as commands", () => {
    expect(paperSafe("Store\u001b@\u001dV\u0000")).toBe("Store?@?V?");
    expect(paperSafe("a\tb")).toBe("a b");
  });
});
