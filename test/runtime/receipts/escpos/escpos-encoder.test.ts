import iconv from "iconv-lite";
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import type { Block } from "../../../../src/runtime/receipts/blocks.js";
import { encodeEscPos } from "../../../../src/runtime/receipts/escpos/escpos-encoder.js";
import { layoutRedemption } from "../../../../src/runtime/receipts/layout-redemption.js";
import { layoutReport } from "../../../../src/runtime/receipts/layout-report.js";
import { layoutVoid } from "../../../../src/runtime/receipts/layout-void.js";
import { renderTextLines } from "../../../../src/runtime/receipts/render-text.js";
import { decodeEscPos } from "../../../helpers/escpos-decode.js";
import {
  context,
  dayReport,
  LOCALES,
  REDEMPTION_ID,
  redemption,
  voidOf,
  WIDTHS,
} from "../receipt-fixtures.js";

const FS_ON = [0x1c, 0x26];
const FS_OFF = [0x1c, 0x2e];

function indexOfBytes(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe("ESC/POS encoder, read back with the decoder", () => {
  for (const locale of LOCALES) {
    for (const width of WIDTHS) {
      describe(`${locale}, ${width} columns`, () => {
        const entry = redemption();
        const documents: Record<string, Block[]> = {
          redemption: layoutRedemption(context(locale, width), entry),
          void: layoutVoid(context(locale, width), voidOf(entry), entry),
          report: layoutReport(context(locale, width), dayReport()),
        };

        for (const [name, blocks] of Object.entries(documents)) {
          it(`prints the ${name} line for line as its text rendering, none wider than the paper`, () => {
            const decoded = decodeEscPos(encodeEscPos(blocks, { width }));
            for (const line of decoded.printed) {
              expect(stringWidth(line.text) * (line.double ? 2 : 1)).toBeLessThanOrEqual(width);
            }
            const onPaper = decoded.lines.map((l) => l.trim());
            const inText = renderTextLines(blocks, width)
              .filter((l) => !l.includes("[QR: "))
              .map((l) => l.trim());
            expect(onPaper).toEqual(inText);
          });
        }

        it("reads the redemption id back from the raster QR image", () => {
          const decoded = decodeEscPos(encodeEscPos(documents.redemption ?? [], { width }));
          expect(decoded.qr).toEqual([REDEMPTION_ID]);
          const qr = decoded.events.find((e) => e.op === "qr");
          expect(qr).toMatchObject({ via: "raster", data: REDEMPTION_ID });
          expect(qr?.op === "qr" && (qr.widthDots ?? 0) <= width * 12).toBe(true);
        });

        it("ends the job with a feed and then a feed-to-cutter partial cut", () => {
          const bytes = encodeEscPos(documents.redemption ?? [], { width });
          expect(Array.from(bytes.slice(0, 2))).toEqual([0x1b, 0x40]);
          expect(Array.from(bytes.slice(-4))).toEqual([0x1d, 0x56, 66, 0]);
          const { events, cut } = decodeEscPos(bytes);
          expect(cut).toBe(true);
          expect(events.at(-1)).toEqual({ op: "cut", feedsFirst: true });
          expect(events.at(-2)).toEqual({ op: "feed", lines: 3 });
        });
      });
    }
  }

  it("brings the Chinese text back exactly, the title bold, double size and centred", () => {
    const decoded = decodeEscPos(
      encodeEscPos(layoutRedemption(context("zh-CN", 32), redemption()), { width: 32 }),
    );
    expect(decoded.printed[0]).toEqual({ text: "券核销凭证", align: "center", bold: true, double: true });
    expect(decoded.lines).toContain("消费金额                ￥128.50");
    expect(decoded.lines).toContain("  赠品：拿铁一杯");
    const toPay = decoded.printed.find((l) => l.text.startsWith("实付"));
    expect(toPay).toEqual({
      text: "实付                    ￥108.50",
      align: "left",
      bold: true,
      double: false,
    });
  });

  it("sends Chinese as GB18030 between FS & and FS ., and the yen sign as the 2-byte full-width ￥", () => {
    const bytes = encodeEscPos([{ kind: "pair", left: "实付", right: "￥128.50" }], { width: 32 });
    const line = [...FS_ON, ...iconv.encode(`实付${" ".repeat(20)}￥128.50`, "gb18030"), ...FS_OFF, 0x0a];
    expect(indexOfBytes(bytes, line)).toBeGreaterThan(0);
    expect(indexOfBytes(bytes, [0xa3, 0xa4])).toBeGreaterThan(0);
  });

  it("sends an all-ASCII receipt without Kanji mode", () => {
    const ctx = { ...context("en", 48, "Corner Cafe"), currency: "USD" };
    const entry = {
      ...redemption(),
      currency: "USD",
      lines: [{ code: "WKND2026ABCD1234", campaign: "coffee", discount: 2000 }],
    };
    const bytes = encodeEscPos(layoutRedemption(ctx, entry), { width: 48 });
    expect(indexOfBytes(bytes, FS_ON)).toBe(-1);
    const decoded = decodeEscPos(bytes);
    expect(decoded.lines).toContain(`Bill${" ".repeat(37)}$128.50`);
    expect(decoded.qr).toEqual([REDEMPTION_ID]);
  });

  it("prints the QR code with Epson's native GS ( k when asked", () => {
    const bytes = encodeEscPos(layoutRedemption(context("zh-CN", 48), redemption()), {
      width: 48,
      qr: "native",
    });
    const decoded = decodeEscPos(bytes);
    expect(decoded.qr).toEqual([REDEMPTION_ID]);
    expect(decoded.events.filter((e) => e.op === "qr")).toEqual([
      { op: "qr", via: "native", data: REDEMPTION_ID },
    ]);
    expect(indexOfBytes(bytes, [0x1d, 0x76, 0x30])).toBe(-1);
    // model 2, then error correction M
    expect(indexOfBytes(bytes, [0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00])).toBeGreaterThan(0);
    expect(indexOfBytes(bytes, [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31])).toBeGreaterThan(0);
  });

  it("prints characters a GBK printer cannot show as ?, and control characters never as commands", () => {
    const blocks: Block[] = [{ kind: "text", text: "¥5 😀 Caf\u00e9\u001b@\u001dV" }];
    const decoded = decodeEscPos(encodeEscPos(blocks, { width: 32 }));
    expect(decoded.lines).toEqual(["?5 ? Café?@?V"]);
  });
});

describe("ESC/POS decoder", () => {
  it("rejects a command it does not know instead of skipping it", () => {
    expect(() => decodeEscPos(Uint8Array.from([0x1b, 0x40, 0x1b, 0x74, 0x00]))).toThrow(
      /unknown command ESC 0x74/,
    );
    expect(() => decodeEscPos(Uint8Array.from([0x1d, 0x48, 0x02]))).toThrow(/unknown command GS 0x48/);
    expect(() => decodeEscPos(Uint8Array.from([0x10, 0x04, 0x01]))).toThrow(/unknown control byte 0x10/);
  });

  it("rejects GB18030 bytes sent without FS &, and text never ended by a line feed", () => {
    expect(() => decodeEscPos(Uint8Array.from([0xc8, 0xaf, 0x0a]))).toThrow(/outside Kanji mode/);
    expect(() => decodeEscPos(Uint8Array.from([0x41, 0x42]))).toThrow(/without a line feed/);
  });

  it("rejects a command cut short", () => {
    expect(() => decodeEscPos(Uint8Array.from([0x1d, 0x76, 0x30, 0x00, 0x02, 0x00, 0x10]))).toThrow(
      /truncated/,
    );
  });
});
