import { describe, expect, it } from "vitest";
import { columns, printable, wrapColumns } from "../../../src/runtime/receipts/columns.js";

describe("printer columns", () => {
  it("counts ASCII as one column and CJK, the full-width yen sign and other non-ASCII as two", () => {
    expect(columns("Bill")).toBe(4);
    expect(columns("券核销凭证")).toBe(10);
    expect(columns("￥128.50")).toBe(8);
    // string-width says 1 for "é", but a Chinese printer draws its GB18030 form full width.
    expect(columns("Café")).toBe(5);
  });

  it("wraps English at spaces and Chinese between characters", () => {
    expect(wrapColumns("Weekend special for members", 12)).toEqual(["Weekend", "special for", "members"]);
    expect(wrapColumns("周末特惠满减活动", 10)).toEqual(["周末特惠满", "减活动"]);
  });

  it("keeps closing punctuation with the character before it", () => {
    expect(wrapColumns("人民广场店（南京东路）", 20)).toEqual(["人民广场店（南京东", "路）"]);
    expect(wrapColumns("甲乙丙丁，戊", 8)).toEqual(["甲乙丙", "丁，戊"]);
  });

  it("splits a word longer than the line", () => {
    expect(wrapColumns("01JD2K3M4N5P6Q7R8S9T0V1W2X", 10)).toEqual(["01JD2K3M4N", "5P6Q7R8S9T", "0V1W2X"]);
  });

  it("never returns a line wider than asked, even for odd widths and mixed text", () => {
    const text = "满100减20 Weekend（周末）special ￥20 off 超值活动 a-very-long-hyphenated-word";
    for (let width = 3; width <= 48; width++) {
      for (const line of wrapColumns(text, width)) expect(columns(line)).toBeLessThanOrEqual(width);
    }
  });

  it("keeps explicit newlines and empty text as lines", () => {
    expect(wrapColumns("a\nb", 10)).toEqual(["a", "b"]);
    expect(wrapColumns("", 10)).toEqual([""]);
  });

  it("replaces control characters, which the printer would take as commands", () => {
    expect(printable("Store\u001b@\u001dV\u0000")).toBe("Store?@?V?");
    expect(printable("a\tb")).toBe("a b");
  });
});
