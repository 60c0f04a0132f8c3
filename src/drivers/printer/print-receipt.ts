import type { Block } from "../../runtime/receipts/blocks.js";
import type { PaperColumns } from "../../runtime/receipts/model.js";
import { renderText } from "../../runtime/receipts/render-text.js";
import { encodeEscPos } from "./escpos-encoder.js";
import type { ReceiptPrinter } from "./printer.js";

export interface PrintReceiptOptions {
  width: PaperColumns;
  qr?: "raster" | "native";
  label?: string;
}

/** Encodes a laid-out receipt and sends it, with its readable rendering, to the printer. */
export function printReceipt(
  printer: ReceiptPrinter,
  blocks: readonly Block[],
  options: PrintReceiptOptions,
): Promise<void> {
  const bytes = encodeEscPos(blocks, { width: options.width, qr: options.qr ?? "raster" });
  return printer.print(bytes, { text: renderText(blocks, options.width), label: options.label });
}
