import stringWidth from "string-width";

/**
 * How many columns a text takes, on one of the two surfaces the terminal writes to. They differ,
 * and mixing them up misaligns right-aligned amounts or overflows the paper:
 *
 * - the screen (a terminal emulator or the Linux console): East Asian Width, as string-width
 *   measures it. CJK and fullwidth forms take 2, combining marks 0, ambiguous characters ("é",
 *   "·", "…", "—") 1;
 * - the paper (a Chinese ESC/POS printer in Kanji mode): everything but printable ASCII is sent as
 *   a GB18030 double-byte character, which the printer draws full width, so every other grapheme
 *   takes 2 ("é" too), and never less than the screen measure.
 */
export interface Measure {
  /** Replaces what would reach the device as a command (cursor moves, ESC/POS commands). */
  safe(text: string): string;
  /** Columns taken by an already safe text. */
  width(text: string): number;
}

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** C0 controls, DEL and C1 controls. */
const CONTROL = /\p{Cc}/gu;

/** Control characters would move the cursor or start escape sequences: each becomes "?". */
export function screenSafe(text: string): string {
  return text.replace(CONTROL, "?");
}

/** Control characters would reach the printer as commands: each becomes "?"; a tab becomes a space. */
export function paperSafe(text: string): string {
  return text.normalize("NFC").replace(/\t/g, " ").replace(CONTROL, "?");
}

const screenCache = new Map<string, number>();

/**
 * string-width segments graphemes and tests emoji patterns on every call, which made it most of a
 * repaint's cost: ASCII is measured by its length, anything else once per distinct string.
 */
function screenColumns(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = screenCache.get(text);
  if (width === undefined) {
    width = stringWidth(text);
    if (screenCache.size >= 10_000) screenCache.clear();
    screenCache.set(text, width);
  }
  return width;
}

function paperColumns(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let total = 0;
  for (const g of graphemes(text)) total += PRINTABLE_ASCII.test(g) ? 1 : Math.max(2, stringWidth(g));
  return total;
}

export const SCREEN: Measure = { safe: screenSafe, width: screenColumns };
export const PAPER: Measure = { safe: paperSafe, width: paperColumns };

/** Terminal columns of any text (control characters counted as the "?" they are shown as). */
export function screenWidth(text: string): number {
  return screenColumns(screenSafe(text));
}

/** Printer columns (Font A cells) of any text, as paperSafe() sends it. */
export function paperWidth(text: string): number {
  return paperColumns(paperSafe(text));
}
