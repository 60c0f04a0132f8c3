import type { Block } from "./blocks.js";
import { encodeEscPos } from "./escpos/escpos-encoder.js";
import type { PaperColumns } from "./model.js";
import { renderText } from "./render-text.js";

export interface RenderReceiptOptions {
  width: PaperColumns;
  qr?: "raster" | "native";
}

/** A receipt ready for a printer: the ESC/POS bytes it prints and the same receipt as readable text. */
export interface RenderedReceipt {
  bytes: Uint8Array;
  text: string;
}

/** Renders a laid-out receipt both ways; a printer takes the bytes, the file printer keeps the text too. */
export function renderReceipt(blocks: readonly Block[], options: RenderReceiptOptions): RenderedReceipt {
  return {
    bytes: encodeEscPos(blocks, { width: options.width, qr: options.qr ?? "raster" }),
    text: renderText(blocks, options.width),
  };
}
