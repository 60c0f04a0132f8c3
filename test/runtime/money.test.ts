import { describe, expect, it } from "vitest";
import { divideRounded, formatMajor, formatMoney, parseMoney } from "../../src/runtime/money.js";

describe("money in integer minor units", () => {
  it.each([
    ["128.50", 12850],
    ["128.5", 12850],
    ["128", 12800],
    ["0.01", 1],
    ["0.1", 10],
    ["19.99", 1999],
    ["1.", 100],
    ["9999999999.99", 999999999999],
  ])("parses %s exactly", (text, minor) => {
    expect(parseMoney(text)).toBe(minor);
  });

  it("parses the amounts floats get wrong", () => {
    // 0.29 * 100 = 28.999999999999996 and 1.005 * 100 = 100.49999999999999 in floating point
    expect(parseMoney("0.29")).toBe(29);
    expect(parseMoney("1.00")).toBe(100);
    expect(parseMoney("4.35")).toBe(435);
  });

  it.each(["", "-1", "1,5", "1e3", "12.345", "abc", ".5", " 1 2"])("refuses %j", (text) => {
    expect(() => parseMoney(text)).toThrow(/amount|decimals/);
  });

  it("formats for people: the full-width yuan sign GBK printers can print", () => {
    expect(formatMoney(12850, "CNY")).toBe("￥128.50");
    expect(formatMoney(1, "CNY")).toBe("￥0.01");
    expect(formatMoney(0, "USD")).toBe("$0.00");
    expect(formatMajor(-2570)).toBe("-25.70");
  });

  it.each([
    [7, 2, "half_up", 4],
    [7, 2, "half_even", 4],
    [5, 2, "half_even", 2],
    [5, 2, "half_up", 3],
    [5, 2, "down", 2],
    [1, 3, "half_up", 0],
    [2, 3, "half_up", 1],
  ] as const)("%s/%s rounded %s is %s", (n, d, mode, q) => {
    expect(divideRounded(n, d, mode)).toBe(q);
  });
});
