import stringWidth from "string-width";

/**
 * Display width in printer columns (Font A cells). Printable ASCII takes one column. Everything else
 * is sent to the printer as a GB18030 double-byte character in Kanji mode, which the printer draws
 * full width: two columns. That is string-width's measure for CJK, but also for characters it counts
 * as one ("é", "·", "…" are East Asian ambiguous), so taking the larger of the two never overflows
 * the paper and never overflows a terminal showing the text rendering.
 */
export function columns(text: string): number {
  let total = 0;
  for (const g of graphemes(text)) total += graphemeColumns(g);
  return total;
}

/** Replaces control characters, which would reach the printer as commands, with "?"; tabs become spaces. */
export function printable(text: string): string {
  return text
    .normalize("NFC")
    .replace(/\t/g, " ")
    .replace(/\p{Cc}/gu, "?");
}

/**
 * Breaks `text` into lines of at most `width` columns: after spaces, and between CJK characters
 * (but not before closing punctuation or after an opening one). A word longer than a line is split.
 * Newlines in `text` start a new line.
 */
export function wrapColumns(text: string, width: number): string[] {
  if (!Number.isInteger(width) || width < 2) throw new RangeError(`cannot wrap to ${width} columns`);
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/).map(printable)) {
    let line = "";
    let used = 0;
    for (const unit of breakUnits(paragraph)) {
      const unitWidth = columns(unit.trimEnd());
      if (used + unitWidth <= width) {
        line += unit;
        used += columns(unit);
        continue;
      }
      if (line.trim() !== "") lines.push(line.trimEnd());
      line = "";
      used = 0;
      if (unitWidth <= width) {
        line = unit;
        used = columns(unit);
        continue;
      }
      for (const g of graphemes(unit.trimEnd())) {
        const w = graphemeColumns(g);
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

/** `left` then spaces then `right`, exactly `width` columns (the caller made sure both fit). */
export function spread(left: string, right: string, width: number): string {
  const gap = width - columns(left) - columns(right);
  if (gap < 0) throw new RangeError(`"${left}" and "${right}" do not fit in ${width} columns`);
  return left + " ".repeat(gap) + right;
}

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

function graphemeColumns(g: string): number {
  return /^[\x20-\x7e]$/.test(g) ? 1 : Math.max(2, stringWidth(g));
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
