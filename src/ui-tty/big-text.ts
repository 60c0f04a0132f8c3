/**
 * Block letters five rows high for the amount to pay and "OK" on screens with room for them.
 * Each pixel is two columns wide so the glyphs look square on a terminal's tall cells.
 */

const FONT: Record<string, readonly string[]> = {
  "0": ["###", "#.#", "#.#", "#.#", "###"],
  "1": [".#.", "##.", ".#.", ".#.", "###"],
  "2": ["###", "..#", "###", "#..", "###"],
  "3": ["###", "..#", "###", "..#", "###"],
  "4": ["#.#", "#.#", "###", "..#", "..#"],
  "5": ["###", "#..", "###", "..#", "###"],
  "6": ["###", "#..", "###", "#.#", "###"],
  "7": ["###", "..#", "..#", "..#", "..#"],
  "8": ["###", "#.#", "###", "#.#", "###"],
  "9": ["###", "#.#", "###", "..#", "###"],
  ".": [".", ".", ".", ".", "#"],
  "-": ["...", "...", "###", "...", "..."],
  "￥": ["#.#", "#.#", "###", ".#.", ".#."],
  O: ["###", "#.#", "#.#", "#.#", "###"],
  K: ["#.#", "#.#", "##.", "#.#", "#.#"],
};

export const BIG_TEXT_ROWS = 5;
const PIXEL = "██";
const GAP = " ";

/** The text in block letters, or null when a character has no glyph. */
export function bigText(text: string): string[] | null {
  const glyphs = [...text].map((ch) => FONT[ch]);
  if (glyphs.length === 0 || glyphs.some((g) => g === undefined)) return null;
  return Array.from({ length: BIG_TEXT_ROWS }, (_, row) =>
    glyphs.map((g) => [...(g?.[row] ?? "")].map((px) => (px === "#" ? PIXEL : "  ")).join("")).join(GAP),
  );
}
