import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { layoutRedemption } from "../../../src/runtime/receipts/layout-redemption.js";
import { renderText, renderTextLines } from "../../../src/runtime/receipts/render-text.js";
import {
  context,
  LOCALES,
  LONG_CAMPAIGN_EN,
  LONG_CAMPAIGN_ZH,
  LONG_STORE_NAME,
  REDEMPTION_ID,
  redemption,
  WIDTHS,
} from "./receipt-fixtures.js";
import { expectNoLineWiderThan, expectRightAligned, paragraph } from "./receipt-lines.js";

describe("redemption receipt", () => {
  for (const locale of LOCALES) {
    for (const width of WIDTHS) {
      describe(`${locale}, ${width} columns`, () => {
        const lines = renderTextLines(layoutRedemption(context(locale, width), redemption()), width);
        const zh = locale === "zh-CN";

        it("never prints a line wider than the paper", () => {
          expectNoLineWiderThan(lines, width);
        });

        it("right-aligns the bill, the discounts and the amount to pay", () => {
          expectRightAligned(lines, zh ? "消费金额" : "Bill", "￥128.50", width);
          expectRightAligned(lines, zh ? "优惠" : "Discount", "-￥20.00", width);
          expectRightAligned(lines, zh ? "实付" : "To pay", "￥108.50", width);
        });

        it("wraps a long store name instead of cutting it off", () => {
          const label = zh ? "门店：" : "Store: ";
          const store = paragraph(lines, label, (l) => l.startsWith(zh ? "终端" : "Terminal"));
          expect(store).toBe(`${label.trim()}${zh ? "" : " "}${LONG_STORE_NAME}`);
          expect(lines.filter((l) => l.includes("南京")).length).toBeGreaterThan(0);
        });

        it("shows each coupon's campaign with its discount on the first line, wrapping a long name", () => {
          const campaign = zh ? LONG_CAMPAIGN_ZH : LONG_CAMPAIGN_EN;
          const first = lines.find((l) => l.endsWith("-￥20.00") && !l.startsWith(zh ? "优惠" : "Discount"));
          expect(first).toBeDefined();
          const at = lines.indexOf(first ?? "");
          const continued = [];
          for (const line of lines.slice(at + 1)) {
            if (line.startsWith("  ")) break;
            continued.push(line);
          }
          const head = (first ?? "").replace(/\s*-￥20\.00$/, "");
          expect([head, ...continued].join(zh ? "" : " ")).toBe(campaign);
          // The amount takes " -￥20.00" (9 columns); the name wraps only when it cannot share the line.
          expect(continued.length > 0).toBe(stringWidth(campaign) > width - 9);
        });

        it("masks coupon codes down to their last 4 characters", () => {
          const text = lines.join("\n");
          expect(text).toContain(zh ? "券码 ********1234" : "Code ********1234");
          expect(text).toContain("****5678");
          expect(text).not.toContain("WKND2026");
          expect(text).not.toContain("CAFE0000");
        });

        it("says what a gift coupon handed over", () => {
          expect(lines).toContain(zh ? "  赠品：拿铁一杯" : "  Gift: 拿铁一杯");
        });

        it("prints the time in the store's timezone, the cashier and the terminal", () => {
          expect(lines).toContain(zh ? "时间：2026-11-22 18:30:05" : "Time: 2026-11-22 18:30:05");
          expect(lines).toContain(zh ? "收银员：0007" : "Cashier: 0007");
          expect(lines).toContain(zh ? "终端：T-01" : "Terminal: T-01");
        });

        it("ends with the redemption id and a QR code holding it", () => {
          const text = lines.join("\n");
          expect(text).toContain(REDEMPTION_ID);
          expect(text).toContain(zh ? "核销单号" : "Redemption id");
          const qr = lines.find((l) => l.includes("[QR: "));
          expect(qr?.trim()).toBe(`[QR: ${REDEMPTION_ID}]`);
        });
      });
    }
  }

  it("is titled in the receipt's language, centred", () => {
    const zh = renderTextLines(layoutRedemption(context("zh-CN", 48), redemption()), 48);
    expect(zh[0]).toBe(`${" ".repeat(19)}券核销凭证`);
    const en = renderTextLines(layoutRedemption(context("en", 48), redemption()), 48);
    expect(en[0]?.trim()).toBe("Coupon redemption");
  });

  it("reads as a whole at 32 columns in Chinese", () => {
    const ctx = context("zh-CN", 32, "人民广场店");
    expect(renderText(layoutRedemption(ctx, redemption()), 32)).toBe(
      [
        "           券核销凭证",
        "",
        "门店：人民广场店",
        "终端：T-01",
        "收银员：0007",
        "时间：2026-11-22 18:30:05",
        "--------------------------------",
        "消费金额                ￥128.50",
        "--------------------------------",
        "周末特惠满100减20元会员 -￥20.00",
        "专享超值活动",
        "  券码 ********1234",
        "免费咖啡",
        "  券码 ********5678",
        "  赠品：拿铁一杯",
        "--------------------------------",
        "优惠                    -￥20.00",
        "实付                    ￥108.50",
        "--------------------------------",
        "核销单号：",
        REDEMPTION_ID,
        `[QR: ${REDEMPTION_ID}]`,
        "",
        "",
        "",
        "",
      ].join("\n"),
    );
  });
});
