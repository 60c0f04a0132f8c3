/**
 * Size limits of everything a terminal reads from outside, checked before parsing: hostile input
 * is refused with a clear message instead of being allowed to exhaust the memory or the stack.
 * One module for both sides, so what a merchant publishes always fits what a terminal reads.
 */

/**
 * Largest signed envelope a terminal reads (bytes of JSON text), checked before parsing: about a
 * million plain codes fit; anything bigger is refused rather than allowed to exhaust the memory.
 */
export const MAX_ENVELOPE_BYTES = 64 * 1024 * 1024;
/** Deepest nesting of arrays and objects accepted in signed JSON; a coupon list needs 4. */
export const MAX_JSON_DEPTH = 32;

/**
 * How deeply `text` nests arrays and objects, counted without parsing (strings skipped), stopping
 * as soon as `limit` is passed: hostile JSON nested a million deep is refused here instead of
 * overflowing the stack of whatever walks it later.
 */
export function jsonDepthExceeds(text: string | Uint8Array, limit: number): boolean {
  // The same answer over UTF-16 units or UTF-8 bytes: every structural character is ASCII.
  const bytes = typeof text === "string" ? null : text;
  const str = text as string;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = bytes ? (bytes[i] as number) : str.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
