import iconv from "iconv-lite";
import type { Align, Block } from "../blocks.js";
import { pairLines, textLines } from "../fit-block.js";
import type { PaperColumns } from "../model.js";
import { qrNative, qrRaster } from "./escpos-qr.js";

export interface EscPosOptions {
  width: PaperColumns;
  /** raster (default) prints on clones without native QR support; native sends Epson's `GS ( k`. */
  qr?: "raster" | "native";
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const LF = 0x0a;
/** Font A is 12 dots wide: 32 columns = 384 dots (58 mm), 48 columns = 576 dots (80 mm). */
const DOTS_PER_COLUMN = 12;
const ALIGN_CODE: Record<Align, number> = { left: 0, center: 1, right: 2 };

/**
 * Blocks to ESC/POS bytes for Font A. Lines are fitted to the paper here (the printer never wraps
 * by itself); Chinese text goes out as GB18030 between `FS &` and `FS .`, plain ASCII lines as is.
 */
export function encodeEscPos(blocks: readonly Block[], options: EscPosOptions): Uint8Array {
  const width = options.width;
  const out: number[] = [ESC, 0x40];
  const style = { align: 0, bold: false, double: false };
  const setStyle = (align: Align | undefined, bold: boolean | undefined, double: boolean | undefined) => {
    const code = ALIGN_CODE[align ?? "left"];
    if (code !== style.align) out.push(ESC, 0x61, code);
    if (Boolean(bold) !== style.bold) out.push(ESC, 0x45, bold ? 1 : 0);
    if (Boolean(double) !== style.double) out.push(GS, 0x21, double ? 0x11 : 0x00);
    Object.assign(style, { align: code, bold: Boolean(bold), double: Boolean(double) });
  };
  const printLine = (line: string) => {
    for (const byte of lineBytes(line)) out.push(byte);
    out.push(LF);
  };
  for (const block of blocks) {
    switch (block.kind) {
      case "text":
        setStyle(block.align, block.bold, block.double);
        for (const line of textLines(block, width)) printLine(line);
        break;
      case "pair":
        setStyle("left", block.bold, false);
        for (const line of pairLines(block, width)) printLine(line);
        break;
      case "rule":
        setStyle("left", false, false);
        printLine("-".repeat(width));
        break;
      case "qr": {
        setStyle("center", false, false);
        const paperDots = width * DOTS_PER_COLUMN;
        const symbol =
          options.qr === "native" ? qrNative(block.data, paperDots) : qrRaster(block.data, paperDots);
        for (const byte of symbol) out.push(byte);
        break;
      }
      case "feed":
        for (let left = block.lines; left > 0; left -= 255) out.push(ESC, 0x64, Math.min(left, 255));
        break;
      case "cut":
        // GS V 66 0: feed to the cutter, then partial cut, so the last line is not cut through.
        out.push(GS, 0x56, 66, 0);
        break;
    }
  }
  return Uint8Array.from(out);
}

const FS_KANJI_ON = [FS, 0x26];
const FS_KANJI_OFF = [FS, 0x2e];

function lineBytes(line: string): Uint8Array {
  if (/^[\x20-\x7e]*$/.test(line)) return Uint8Array.from(line, (c) => c.charCodeAt(0));
  return Uint8Array.from([...FS_KANJI_ON, ...gb18030(line), ...FS_KANJI_OFF]);
}

/** Characters outside GBK take four bytes in GB18030 and print as garbage on GBK firmware: "?" instead. */
function gb18030(text: string): Uint8Array {
  let safe = "";
  for (const ch of text) safe += iconv.encode(ch, "gb18030").length > 2 ? "?" : ch;
  return iconv.encode(safe, "gb18030");
}
