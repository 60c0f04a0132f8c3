/**
 * Finds where values start and end in JSON bytes without building them, so a document of a
 * million codes can be taken apart in pieces that are each handed to JSON.parse (which does the
 * real validation). The scanner only has to be right about structure: strings (with escapes) and
 * nesting. Callers check that the pieces they parse account for every byte.
 */
export class JsonSpanError extends Error {
  override name = "JsonSpanError";
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function skipWhitespace(b: Uint8Array, i: number): number {
  while (i < b.length) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
  return i;
}

/** `i` at an opening quote; returns the index after the closing quote. */
export function stringEnd(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) throw new JsonSpanError(`expected a string at byte ${i}`);
  for (let j = i + 1; j < b.length; j++) {
    const c = b[j];
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  throw new JsonSpanError(`unterminated string from byte ${i}`);
}

/** `i` at the first byte of a value; returns the index after its last byte. */
export function valueEnd(b: Uint8Array, i: number): number {
  const first = b[i];
  if (first === QUOTE) return stringEnd(b, i);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    for (let j = i; j < b.length; j++) {
      const c = b[j];
      if (c === QUOTE) j = stringEnd(b, j) - 1;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new JsonSpanError(`unterminated ${first === 0x7b ? "object" : "array"} from byte ${i}`);
  }
  let j = i;
  while (j < b.length) {
    const c = b[j];
    if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
    j++;
  }
  if (j === i) throw new JsonSpanError(`expected a value at byte ${i}`);
  return j;
}

export interface MemberSpan {
  key: string;
  /** First byte of the value and the index after its last byte. */
  start: number;
  end: number;
}

/** The members of the object that makes up the whole of `b` (whitespace around it allowed). */
export function objectMembers(b: Uint8Array): MemberSpan[] {
  let i = skipWhitespace(b, 0);
  if (b[i] !== 0x7b) throw new JsonSpanError("expected a JSON object");
  const members: MemberSpan[] = [];
  i = skipWhitespace(b, i + 1);
  if (b[i] === 0x7d) return expectEnd(b, i + 1, members);
  for (;;) {
    const keyEnd = stringEnd(b, i);
    const key = JSON.parse(Buffer.from(b.buffer, b.byteOffset + i, keyEnd - i).toString("utf8")) as string;
    i = skipWhitespace(b, keyEnd);
    if (b[i] !== 0x3a) throw new JsonSpanError(`expected ":" at byte ${i}`);
    const start = skipWhitespace(b, i + 1);
    const end = valueEnd(b, start);
    members.push({ key, start, end });
    i = skipWhitespace(b, end);
    if (b[i] === 0x7d) return expectEnd(b, i + 1, members);
    if (b[i] !== 0x2c) throw new JsonSpanError(`expected "," or "}" at byte ${i}`);
    i = skipWhitespace(b, i + 1);
  }
}

function expectEnd(b: Uint8Array, i: number, members: MemberSpan[]): MemberSpan[] {
  if (skipWhitespace(b, i) !== b.length)
    throw new JsonSpanError(`unexpected bytes after the object at byte ${i}`);
  return members;
}

/**
 * Walks the elements of the array at b[start, end) in batches: `onBatch(from, to, count)` gets the
 * span from the first element's first byte to the last element's last byte (commas between them
 * included), so `"[" + span + "]"` parses to exactly `count` elements.
 */
export function arrayBatches(
  b: Uint8Array,
  start: number,
  end: number,
  batchSize: number,
  onBatch: (from: number, to: number, count: number) => void,
): void {
  if (b[start] !== 0x5b || b[end - 1] !== 0x5d) throw new JsonSpanError(`expected an array at byte ${start}`);
  let i = skipWhitespace(b, start + 1);
  if (i === end - 1) return;
  let from = i;
  let count = 0;
  for (;;) {
    const elementEnd = valueEnd(b, i);
    count++;
    i = skipWhitespace(b, elementEnd);
    const last = i === end - 1;
    if (!last && b[i] !== 0x2c) throw new JsonSpanError(`expected "," or "]" at byte ${i}`);
    if (last || count === batchSize) {
      onBatch(from, elementEnd, count);
      count = 0;
      from = skipWhitespace(b, i + 1);
    }
    if (last) return;
    i = skipWhitespace(b, i + 1);
  }
}
