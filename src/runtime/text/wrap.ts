import { graphemes, type Measure, PAPER, SCREEN } from "./measure.js";

/**
 * Breaks `text` into lines of at most `width` columns as `measure` counts them: after spaces, and
 * between CJK characters (but not before closing punctuation or after an opening one). A word
 * longer than a line is split between graphemes. Newlines in `text` start a new line.
 */
export function wrapTo(text: string, width: number, measure: Measure): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/).map(measure.safe)) {
    let line = "";
    let used = 0;
    for (const unit of breakUnits(paragraph)) {
      const unitWidth = measure.width(unit.trimEnd());
      if (used + unitWidth <= width) {
        line += unit;
        used += measure.width(unit);
        continue;
      }
      if (line.trim() !== "") lines.push(line.trimEnd());
      line = "";
      used = 0;
      if (unitWidth <= width) {
        line = unit;
        used = measure.width(unit);
        continue;
      }
      for (const g of graphemes(unit.trimEnd())) {
        const w = measure.width(g);
        if (used + w > width) {
          lines.push(line);
          line = "";
          used = 0;
        }
        line += g;
        used += w;
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/** Lines for the paper: a width under 2 columns is a layout bug, not a narrow screen. */
export function wrapForPaper(text: string, width: number): string[] {
  if (!Number.isInteger(width) || width < 2) throw new RangeError(`cannot wrap to ${width} columns`);
  return wrapTo(text, width, PAPER);
}

/** Lines for the screen; a terminal too narrow for anything gets none. */
export function wrapForScreen(text: string, width: number): string[] {
  return width <= 0 ? [] : wrapTo(text, width, SCREEN);
}

const CJK =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
const NO_BREAK_BEFORE = new Set([..."，。、：；！？）》」』】〕,.:;!?)%"]);
const NO_BREAK_AFTER = new Set([..."（《「『【〔(￥$"]);

/** Splits a paragraph into pieces that must stay on one line; trailing spaces stay with their piece. */
function breakUnits(paragraph: string): string[] {
  const units: string[] = [];
  let unit = "";
  let previous = "";
  for (const g of graphemes(paragraph)) {
    if (unit !== "" && canBreakBetween(previous, g)) {
      units.push(unit);
      unit = "";
    }
    unit += g;
    previous = g;
  }
  if (unit !== "") units.push(unit);
  return units;
}

function canBreakBetween(before: string, after: string): boolean {
  if (after === " ") return false;
  if (before === " ") return true;
  if (NO_BREAK_BEFORE.has(after) || NO_BREAK_AFTER.has(before)) return false;
  return CJK.test(before) || CJK.test(after);
}
