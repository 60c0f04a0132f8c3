import type { Block } from "./blocks.js";
import { alignPadding, pairLines, textLines } from "./fit-block.js";

/**
 * The readable rendering of a receipt, line for line as on paper `width` columns wide (double-size
 * text shown at normal size). A QR code shows as `[QR: payload]`; the cut ends the text.
 */
export function renderTextLines(blocks: readonly Block[], width: number): string[] {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case "text":
        for (const line of textLines(block, width)) out.push(alignPadding(line, block.align, width) + line);
        break;
      case "pair":
        out.push(...pairLines(block, width));
        break;
      case "rule":
        out.push("-".repeat(width));
        break;
      case "qr":
        for (const line of textLines({ kind: "text", text: `[QR: ${block.data}]` }, width)) {
          out.push(alignPadding(line, "center", width) + line);
        }
        break;
      case "feed":
        for (let i = 0; i < block.lines; i++) out.push("");
        break;
      case "cut":
        break;
    }
  }
  return out.map((line) => line.trimEnd());
}

export function renderText(blocks: readonly Block[], width: number): string {
  return `${renderTextLines(blocks, width).join("\n")}\n`;
}
