import { spreadOnPaper } from "../text/fit.js";
import { paperSafe, paperWidth } from "../text/measure.js";
import { wrapForPaper } from "../text/wrap.js";
import type { PairBlock, TextBlock } from "./blocks.js";

/**
 * The lines a text block prints as on paper `width` columns wide, without alignment padding (the
 * printer aligns). A double-size line may hold half as many columns.
 */
export function textLines(block: TextBlock, width: number): string[] {
  const available = block.double ? Math.floor(width / 2) : width;
  const indent = block.indent ?? 0;
  const margin = " ".repeat(indent);
  return wrapForPaper(block.text, available - indent).map((line) => (line === "" ? "" : margin + line));
}

/**
 * A pair as full-width lines, the value flush right. A left side too long for the line wraps in its
 * own column with the value on the first line; when the value leaves too little room for that, the
 * left side gets whole lines and the value goes on a line of its own.
 */
export function pairLines(block: PairBlock, width: number): string[] {
  const margin = " ".repeat(block.indent ?? 0);
  const usable = width - margin.length;
  const left = paperSafe(block.left);
  const right = paperSafe(block.right).trim();
  if (right === "") return wrapForPaper(left, usable).map((line) => margin + line);
  const rightWidth = paperWidth(right);
  if (paperWidth(left) + 1 + rightWidth <= usable) return [spreadOnPaper(margin + left, right, width)];
  const leftColumn = usable - rightWidth - 1;
  if (leftColumn >= Math.ceil(width / 2)) {
    return wrapForPaper(left, leftColumn).map((line, i) =>
      i === 0 ? spreadOnPaper(margin + line, right, width) : margin + line,
    );
  }
  return [
    ...wrapForPaper(left, usable).map((line) => margin + line),
    ...wrapForPaper(right, width).map((line) => spreadOnPaper("", line, width)),
  ];
}

/** Spaces to put before a line so that it shows aligned on paper `width` columns wide. */
export function alignPadding(line: string, align: TextBlock["align"], width: number): string {
  const free = Math.max(0, width - paperWidth(line));
  if (align === "center") return " ".repeat(Math.floor(free / 2));
  if (align === "right") return " ".repeat(free);
  return "";
}
