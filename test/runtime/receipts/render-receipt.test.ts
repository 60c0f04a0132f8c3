import { describe, expect, it } from "vitest";
import { layoutVoid } from "../../../src/runtime/receipts/layout-void.js";
import { renderReceipt } from "../../../src/runtime/receipts/render-receipt.js";
import { decodeEscPos } from "../../helpers/escpos-decode.js";
import { context, REDEMPTION_ID, redemption, voidOf } from "./receipt-fixtures.js";

describe("a receipt rendered for the printer", () => {
  const entry = redemption();
  const blocks = layoutVoid(context("zh-CN", 48), voidOf(entry), entry);

  it("prints on paper what its text says, line for line", () => {
    const { bytes, text } = renderReceipt(blocks, { width: 48 });
    const decoded = decodeEscPos(bytes);
    expect(text.endsWith("\n")).toBe(true);
    const textLines = text
      .slice(0, -1)
      .split("\n")
      .filter((line) => !line.includes("[QR: "))
      .map((line) => line.trim());
    expect(decoded.lines.map((line) => line.trim())).toEqual(textLines);
    expect(decoded.cut).toBe(true);
  });

  it("sends the QR code as a raster image unless the printer is set to native QR", () => {
    const withQr = [...blocks, { kind: "qr" as const, data: REDEMPTION_ID }];
    const raster = decodeEscPos(renderReceipt(withQr, { width: 48 }).bytes);
    const native = decodeEscPos(renderReceipt(withQr, { width: 48, qr: "native" }).bytes);
    expect(raster.events.filter((e) => e.op === "qr")).toMatchObject([
      { via: "raster", data: REDEMPTION_ID },
    ]);
    expect(native.events.filter((e) => e.op === "qr")).toMatchObject([
      { via: "native", data: REDEMPTION_ID },
    ]);
  });
});
