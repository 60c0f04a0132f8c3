/**
 * One line of scanner output, cleaned: scanners may prefix an AIM symbology identifier
 * (`]Q1` QR code, `]E0` EAN-13, `]C1` Code 128...), and end with CR, LF or CRLF.
 */
const AIM_PREFIX = /^\][A-Za-z][0-9A-Za-z]/;

/** Control bytes (C0, DEL, C1) have no place in a code: a scan carrying one is refused whole. */
export function hasControlBytes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

export function cleanScanLine(raw: string): string | null {
  const text = raw.replace(/[\r\n]+$/, "").replace(AIM_PREFIX, "");
  return text.length > 0 ? text : null;
}

/** Splits a byte stream into lines ending in CR, LF or CRLF, keeping a partial line for later. */
export class LineSplitter {
  private pending = "";

  push(chunk: string): string[] {
    this.pending += chunk;
    const lines: string[] = [];
    let match: RegExpExecArray | null = /\r\n|\r|\n/.exec(this.pending);
    while (match) {
      // A CR at the very end may be the first half of a CRLF still on its way: wait for more.
      if (match[0] === "\r" && match.index === this.pending.length - 1) break;
      lines.push(this.pending.slice(0, match.index));
      this.pending = this.pending.slice(match.index + match[0].length);
      match = /\r\n|\r|\n/.exec(this.pending);
    }
    return lines;
  }

  /** A lone CR that turned out not to be followed by LF. */
  flush(): string[] {
    if (!this.pending.endsWith("\r")) return [];
    const line = this.pending.slice(0, -1);
    this.pending = "";
    return [line];
  }
}
