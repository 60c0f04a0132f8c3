import { graphemes, PAPER, SCREEN } from "./measure.js";

/**
 * Fitting text into a fixed number of columns. On the screen a text that does not fit is cut
 * (between graphemes, so a wide character is never split) and ends with "…"; on paper nothing is
 * cut silently: the receipt layout wraps first and a pair that still does not fit is a bug.
 */

/** At most `width` screen columns; a cut text ends with `ellipsis` (dropped when even that does not fit). */
export function truncate(text: string, width: number, ellipsis = "…"): string {
  const clean = SCREEN.safe(text);
  if (width <= 0) return "";
  if (SCREEN.width(clean) <= width) return clean;
  const mark = SCREEN.width(ellipsis) <= width ? ellipsis : "";
  return takeColumns(clean, width - SCREEN.width(mark)) + mark;
}

/** Exactly `width` screen columns: truncated, then padded with spaces on the right. */
export function padEnd(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + " ".repeat(Math.max(0, width - SCREEN.width(cut)));
}

/** Exactly `width` screen columns, the text flush right. */
export function padStart(text: string, width: number): string {
  const cut = truncate(text, width);
  return " ".repeat(Math.max(0, width - SCREEN.width(cut))) + cut;
}

/** Exactly `width` screen columns, the text centred (an odd leftover column goes to the right). */
export function center(text: string, width: number): string {
  const cut = truncate(text, width);
  const room = Math.max(0, width - SCREEN.width(cut));
  const left = Math.floor(room / 2);
  return " ".repeat(left) + cut + " ".repeat(room - left);
}

/**
 * Exactly `width` screen columns: `left` flush left, `right` flush right ending at the last
 * column, at least `gap` spaces between. The left text gives way first; the right one only when
 * it alone is too wide.
 */
export function spreadOnScreen(left: string, right: string, width: number, gap = 1): string {
  const r = truncate(right, width);
  const rw = SCREEN.width(r);
  const room = width - rw - gap;
  if (room <= 0 || left === "") return padStart(r, width);
  const l = truncate(left, room);
  return l + " ".repeat(width - SCREEN.width(l) - rw) + r;
}

/** `left` then spaces then `right`, exactly `width` paper columns (the caller made sure both fit). */
export function spreadOnPaper(left: string, right: string, width: number): string {
  const gap = width - PAPER.width(left) - PAPER.width(right);
  if (gap < 0) throw new RangeError(`"${left}" and "${right}" do not fit in ${width} columns`);
  return left + " ".repeat(gap) + right;
}

function takeColumns(text: string, width: number): string {
  let out = "";
  let used = 0;
  for (const g of graphemes(text)) {
    const w = SCREEN.width(g);
    if (used + w > width) break;
    out += g;
    used += w;
  }
  return out;
}
