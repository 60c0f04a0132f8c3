import { describe, expect, it } from "vitest";
import { layoutReport } from "../../../src/runtime/receipts/layout-report.js";
import { renderTextLines } from "../../../src/runtime/receipts/render-text.js";
import { context, dayReport, LOCALES, WIDTHS } from "./receipt-fixtures.js";
import { expectNoLineWiderThan, expectRightAligned } from "./receipt-lines.js";

describe("X and Z reports", () => {
  for (const locale of LOCALES) {
    for (const width of WIDTHS) {
      describe(`${locale}, ${width} columns`, () => {
        const lines = renderTextLines(layoutReport(context(locale, width), dayReport("Z")), width);
        const zh = locale === "zh-CN";

        it("never prints a line wider than the paper", () => {
          expectNoLineWiderThan(lines, width);
        });

        it("states the period in the store's timezone", () => {
          expect(lines).toContain(zh ? "从：2026-11-22 00:00:00" : "From: 2026-11-22 00:00:00");
          expect(lines).toContain(zh ? "至：2026-11-23 00:00:00" : "To: 2026-11-23 00:00:00");
        });

        it("right-aligns the counts and totals", () => {
          expectRightAligned(lines, zh ? "免费咖啡" : "Free coffee", zh ? "3笔" : "x3", width);
          expectRightAligned(lines, zh ? "撤销" : "Voided", zh ? "1笔" : "x1", width);
          expectRightAligned(lines, zh ? "退回优惠" : "Discount given back", "￥20.00", width);
          expectRightAligned(lines, zh ? "净核销" : "Net redemptions", zh ? "15笔" : "x15", width);
          expectRightAligned(lines, zh ? "消费合计" : "Bills", "￥1626.00", width);
          expectRightAligned(lines, zh ? "优惠合计" : "Discounts", "-￥240.00", width);
          expectRightAligned(lines, zh ? "实付合计" : "Paid", "￥1386.00", width);
        });

        it("a Z carries its number", () => {
          expect(lines).toContain(zh ? "日结号：12" : "Z No.: 12");
        });

        it("shows a campaign without discount as ￥0.00, not -￥0.00", () => {
          expect(lines.join("\n")).not.toContain("-￥0.00");
        });
      });
    }
  }

  it("titles X as the shift report and Z as the end of day", () => {
    const title = (kind: "X" | "Z", locale: "zh-CN" | "en") =>
      renderTextLines(layoutReport(context(locale, 48), dayReport(kind)), 48)[0]?.trim();
    expect(title("X", "zh-CN")).toBe("交班报表(X)");
    expect(title("Z", "zh-CN")).toBe("日结报表(Z)");
    expect(title("X", "en")).toBe("Shift report (X)");
    expect(title("Z", "en")).toBe("End-of-day report (Z)");
  });

  it("says so when nothing was redeemed", () => {
    const empty = {
      ...dayReport("X"),
      rows: [],
      redeemed: { count: 0, amount: 0, discount: 0, payable: 0 },
      voids: { count: 0, amount: 0, discount: 0, payable: 0 },
      totals: { count: 0, amount: 0, discount: 0, payable: 0 },
    };
    const lines = renderTextLines(layoutReport(context("zh-CN", 32), empty), 32);
    expect(lines).toContain("无核销记录");
    expectRightAligned(lines, "实付合计", "￥0.00", 32);
  });
});
