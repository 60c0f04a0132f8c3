import stringWidth from "string-width";

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

export function displayWidth(text: string): number {
  return stringWidth(sanitize(text));
}

/** At most `width` columns; a cut text ends with `ellipsis` (dropped when even that does not fit). */
export function truncate(text: string, width: number, ellipsis = "…"): string {
  const clean = sanitize(text);
  if (width <= 0) return "";
  if (stringWidth(clean) <= width) return clean;
  const mark = stringWidth(ellipsis) <= width ? ellipsis : "";
  return takeColumns(clean, width - stringWidth(mark)) + mark;
}

/** Exactly `width` columns: truncated, then padded with spaces on the right. */
export function padEnd(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + " ".repeat(Math.max(0, width - stringWidth(cut)));
}

/** Exactly `width` columns, the text flush right. */
export function padStart(text: string, width: number): string {
  const cut = truncate(text, width);
  return " ".repeat(Math.max(0, width - stringWidth(cut))) + cut;
}

/** Exactly `width` columns, the text centred (an odd leftover column goes to the right). */
export function center(text: string, width: number): string {
  const cut = truncate(text, width);
  const room = Math.max(0, width - stringWidth(cut));
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
  const rw = stringWidth(r);
  const room = width - rw - gap;
  if (room <= 0 || left === "") return padStart(r, width);
  const l = truncate(left, room);
  return l + " ".repeat(width - stringWidth(l) - rw) + r;
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
    const w = stringWidth(token);
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
      const gw = stringWidth(segment);
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
    const k = segment.trim() === "" ? "space" : stringWidth(segment) > 1 ? "wide" : "word";
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
    const w = stringWidth(segment);
    if (used + w > width) break;
    out += segment;
    used += w;
  }
  return out;
}
