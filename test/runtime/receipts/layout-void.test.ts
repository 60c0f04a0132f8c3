import { describe, expect, it } from "vitest";
import { layoutVoid } from "../../../src/runtime/receipts/layout-void.js";
import { renderTextLines } from "../../../src/runtime/receipts/render-text.js";
import { context, LOCALES, REDEMPTION_ID, redemption, voidOf, WIDTHS } from "./receipt-fixtures.js";
import { expectNoLineWiderThan, expectRightAligned } from "./receipt-lines.js";

describe("void slip", () => {
  for (const locale of LOCALES) {
    for (const width of WIDTHS) {
      describe(`${locale}, ${width} columns`, () => {
        const entry = redemption();
        const lines = renderTextLines(layoutVoid(context(locale, width), voidOf(entry), entry), width);
        const text = lines.join("\n");
        const zh = locale === "zh-CN";

        it("never prints a line wider than the paper", () => {
          expectNoLineWiderThan(lines, width);
        });

        it("says it is a void, of which redemption, when, by whom and why", () => {
          expect(lines[0]?.trim()).toBe(zh ? "撤销凭证" : "VOID");
          expect(text).toContain(REDEMPTION_ID);
          expect(lines).toContain(zh ? "时间：2026-11-22 18:41:00" : "Time: 2026-11-22 18:41:00");
          expect(lines).toContain(
            zh ? "原核销时间：2026-11-22 18:30:05" : "Redeemed at: 2026-11-22 18:30:05",
          );
          expect(lines).toContain(zh ? "收银员：0001" : "Cashier: 0001");
          expect(lines).toContain(zh ? "原因：顾客取消" : "Reason: 顾客取消");
          expect(text).toContain("01JD2M0000000000000000000V");
        });

        it("lists the returned coupons, masked, and the discount reversed", () => {
          expect(text).toContain(zh ? "退回的券" : "Coupons returned");
          expect(text).toContain("********1234");
          expect(text).not.toContain("WKND2026");
          expectRightAligned(lines, zh ? "撤销优惠" : "Discount reversed", "￥20.00", width);
          expectRightAligned(lines, zh ? "消费金额" : "Bill", "￥128.50", width);
        });

        it("has no QR code (the slip is not looked up later)", () => {
          expect(text).not.toContain("[QR:");
        });
      });
    }
  }

  it("leaves out the reason line when no reason was given", () => {
    const entry = redemption();
    const { reason: _, ...noReason } = voidOf(entry);
    const lines = renderTextLines(layoutVoid(context("zh-CN", 32), noReason, entry), 32);
    expect(lines.some((l) => l.startsWith("原因"))).toBe(false);
  });

  it("refuses a redemption the void does not target", () => {
    const entry = redemption();
    const other = { ...entry, id: "01JD2K3M4N5P6Q7R8S9T0V1W2Y" };
    expect(() => layoutVoid(context("en", 32), voidOf(entry), other)).toThrow(/targets/);
  });
});
