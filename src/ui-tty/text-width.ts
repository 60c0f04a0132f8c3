import measureWidth from "string-width";

/**
 * Display width in terminal columns: CJK and fullwidth forms take 2, combining marks 0. Every
 * function here cuts between grapheme clusters only, so a wide character is never split and a
 * result never exceeds the width asked for.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
/** Everything but printable characters: C0 controls, DEL and C1 controls. */
const CONTROL = /[^\u0020-\u007e\u00a0-\u{10ffff}]/gu;

/** Control characters would move the cursor or start escape sequences: each becomes "?". */
export function sanitize(text: string): string {
  return text.replace(CONTROL, "?");
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const widthCache = new Map<string, number>();

/**
 * string-width segments graphemes and tests emoji patterns on every call, which made it most of a
 * repaint's cost: ASCII is measured by its length, anything else once per distinct string.
 */
function columnsOf(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = widthCache.get(text);
  if (width === undefined) {
    width = measureWidth(text);
    if (widthCache.size >= 10_000) widthCache.clear();
    widthCache.set(text, width);
  }
  return width;
}

export function displayWidth(text: string): number {
  return columnsOf(sanitize(text));
}

/** At most `width` columns; a cut text ends with `ellipsis` (dropped when even that does not fit). */
export function truncate(text: string, width: number, ellipsis = "…"): string {
  const clean = sanitize(text);
  if (width <= 0) return "";
  if (columnsOf(clean) <= width) return clean;
  const mark = columnsOf(ellipsis) <= width ? ellipsis : "";
  return takeColumns(clean, width - columnsOf(mark)) + mark;
}

/** Exactly `width` columns: truncated, then padded with spaces on the right. */
export function padEnd(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + " ".repeat(Math.max(0, width - columnsOf(cut)));
}

/** Exactly `width` columns, the text flush right. */
export function padStart(text: string, width: number): string {
  const cut = truncate(text, width);
  return " ".repeat(Math.max(0, width - columnsOf(cut))) + cut;
}

/** Exactly `width` columns, the text centred (an odd leftover column goes to the right). */
export function center(text: string, width: number): string {
  const cut = truncate(text, width);
  const room = Math.max(0, width - columnsOf(cut));
  const left = Math.floor(room / 2);
  return " ".repeat(left) + cut + " ".repeat(room - left);
}

/**
 * Exactly `width` columns: `left` flush left, `right` flush right ending at the last column, at
 * least `gap` spaces between. The left text gives way first; the right one only when it alone is
 * too wide.
 */
export function spread(left: string, right: string, width: number, gap = 1): string {
  const r = truncate(right, width);
  const rw = columnsOf(r);
  const room = width - rw - gap;
  if (room <= 0 || left === "") return padStart(r, width);
  const l = truncate(left, room);
  return l + " ".repeat(width - columnsOf(l) - rw) + r;
}

/**
 * Breaks text into lines of at most `width` columns: at spaces for words, between any two CJK
 * characters, and inside a word only when the word alone is wider than a line.
 */
export function wrap(text: string, width: number): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  let line = "";
  let lineWidth = 0;
  for (const token of tokens(sanitize(text))) {
    const w = columnsOf(token);
    if (token.trim() === "") {
      if (lineWidth > 0 && lineWidth + w <= width) {
        line += token;
        lineWidth += w;
      }
      continue;
    }
    if (lineWidth + w > width && lineWidth > 0) {
      lines.push(line.trimEnd());
      line = "";
      lineWidth = 0;
    }
    if (w <= width) {
      line += token;
      lineWidth += w;
      continue;
    }
    for (const { segment } of graphemes.segment(token)) {
      const gw = columnsOf(segment);
      if (lineWidth + gw > width) {
        lines.push(line);
        line = "";
        lineWidth = 0;
      }
      line += segment;
      lineWidth += gw;
    }
  }
  if (line.trimEnd() !== "" || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/** Words, runs of spaces, and single wide characters (each a place where a line may break). */
function tokens(text: string): string[] {
  const out: string[] = [];
  let token = "";
  let kind: "space" | "word" | "wide" | null = null;
  for (const { segment } of graphemes.segment(text)) {
    const k = segment.trim() === "" ? "space" : columnsOf(segment) > 1 ? "wide" : "word";
    if (token !== "" && k === kind && k !== "wide") token += segment;
    else {
      if (token !== "") out.push(token);
      token = segment;
      kind = k;
    }
  }
  if (token !== "") out.push(token);
  return out;
}

function takeColumns(text: string, width: number): string {
  let out = "";
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = columnsOf(segment);
    if (used + w > width) break;
    out += segment;
    used += w;
  }
  return out;
}
