import iconv from "iconv-lite";
import * as jsqrModule from "jsqr";

/**
 * Reads ESC/POS bytes back into what a person would see on the paper, for tests. Knows the commands
 * our encoder may send and rejects any other byte, so an encoder bug fails loudly instead of being
 * skipped.
 */

export type DecodedAlign = "left" | "center" | "right";

export interface PrintedLine {
  text: string;
  align: DecodedAlign;
  bold: boolean;
  double: boolean;
}

export type EscPosEvent =
  | { op: "init" }
  | { op: "line"; line: PrintedLine }
  | { op: "feed"; lines: number }
  | { op: "qr"; via: "raster" | "native"; data: string | null; widthDots?: number }
  | { op: "cut"; feedsFirst: boolean };

export interface DecodedEscPos {
  /** Every printed line, blank ones from feeds included. */
  lines: string[];
  /** The same lines with the style they were printed in. */
  printed: PrintedLine[];
  /** QR payloads in print order: native `GS ( k` data and raster images read back with jsQR. */
  qr: string[];
  cut: boolean;
  /** Everything in order, for assertions such as "the job ends with a feed and a cut". */
  events: EscPosEvent[];
}

export class EscPosDecodeError extends Error {
  override name = "EscPosDecodeError";
}

const ALIGNS: Record<number, DecodedAlign> = {
  0: "left",
  1: "center",
  2: "right",
  48: "left",
  49: "center",
  50: "right",
};

export function decodeEscPos(input: Uint8Array): DecodedEscPos {
  const bytes = input;
  const result: DecodedEscPos = { lines: [], printed: [], qr: [], cut: false, events: [] };
  let style = { align: "left" as DecodedAlign, bold: false, double: false };
  let kanji = false;
  let text = "";
  let pending: number[] = [];
  let nativeQrData: string | null = null;
  let i = 0;

  const fail = (what: string): never => {
    const around = Array.from(bytes.slice(Math.max(0, i - 4), i + 8), (b) => b.toString(16).padStart(2, "0"));
    throw new EscPosDecodeError(`${what} at offset ${i} (bytes around: ${around.join(" ")})`);
  };
  const take = (n: number): Uint8Array => {
    if (i + n > bytes.length) fail(`truncated command: needs ${n} more bytes`);
    const part = bytes.slice(i, i + n);
    i += n;
    return part;
  };
  const byte = (): number => take(1)[0] as number;
  const flushText = () => {
    if (pending.length === 0) return;
    text += kanji ? iconv.decode(Buffer.from(pending), "gb18030") : String.fromCharCode(...pending);
    pending = [];
  };
  const printLine = () => {
    flushText();
    const line = { text, ...style };
    result.lines.push(text);
    result.printed.push(line);
    result.events.push({ op: "line", line });
    text = "";
  };

  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b >= 0x20 && b !== 0x7f) {
      if (b >= 0x80 && !kanji) fail(`byte 0x${b.toString(16)} outside Kanji mode`);
      pending.push(b);
      i += 1;
      continue;
    }
    i += 1;
    if (b === 0x0a) {
      printLine();
    } else if (b === 0x1b) {
      const cmd = byte();
      if (cmd === 0x40) {
        flushText();
        style = { align: "left", bold: false, double: false };
        kanji = false;
        result.events.push({ op: "init" });
      } else if (cmd === 0x61) {
        style.align = ALIGNS[byte()] ?? fail("bad ESC a argument");
      } else if (cmd === 0x45) {
        style.bold = (byte() & 1) === 1;
      } else if (cmd === 0x64) {
        const n = byte();
        if (text !== "" || pending.length > 0) printLine();
        for (let k = 0; k < n; k++) {
          result.lines.push("");
          result.printed.push({ text: "", ...style });
        }
        result.events.push({ op: "feed", lines: n });
      } else {
        i -= 1;
        fail(`unknown command ESC 0x${cmd.toString(16)}`);
      }
    } else if (b === 0x1d) {
      const cmd = byte();
      if (cmd === 0x21) {
        const n = byte();
        if (n !== 0x00 && n !== 0x11) fail(`unexpected GS ! size 0x${n.toString(16)}`);
        style.double = n === 0x11;
      } else if (cmd === 0x76) {
        if (byte() !== 0x30) fail("unknown GS v function");
        take(1);
        const [xL, xH, yL, yH] = take(4) as unknown as [number, number, number, number];
        const rowBytes = xL + xH * 256;
        const height = yL + yH * 256;
        const data = readRasterQr(take(rowBytes * height), rowBytes, height);
        if (data !== null) result.qr.push(data);
        result.events.push({ op: "qr", via: "raster", data, widthDots: rowBytes * 8 });
      } else if (cmd === 0x28) {
        if (byte() !== 0x6b) fail("unknown GS ( function");
        const [pL, pH] = take(2) as unknown as [number, number];
        const body = take(pL + pH * 256);
        const [cn, fn] = body;
        if (cn !== 0x31) fail("GS ( k for a symbol other than QR");
        if (fn === 0x50) {
          nativeQrData = new TextDecoder().decode(body.slice(3));
        } else if (fn === 0x51) {
          if (nativeQrData === null) fail("GS ( k print without stored data");
          result.qr.push(nativeQrData as string);
          result.events.push({ op: "qr", via: "native", data: nativeQrData });
        } else if (fn !== 0x41 && fn !== 0x43 && fn !== 0x45) {
          fail(`unknown GS ( k function ${fn}`);
        }
      } else if (cmd === 0x56) {
        const m = byte();
        if (m === 65 || m === 66) take(1);
        else if (![0, 1, 48, 49].includes(m)) fail(`unknown GS V mode ${m}`);
        if (text !== "" || pending.length > 0) printLine();
        result.cut = true;
        result.events.push({ op: "cut", feedsFirst: m === 65 || m === 66 });
      } else {
        i -= 1;
        fail(`unknown command GS 0x${cmd.toString(16)}`);
      }
    } else if (b === 0x1c) {
      const cmd = byte();
      flushText();
      if (cmd === 0x26) kanji = true;
      else if (cmd === 0x2e) kanji = false;
      else {
        i -= 1;
        fail(`unknown command FS 0x${cmd.toString(16)}`);
      }
    } else {
      i -= 1;
      fail(`unknown control byte 0x${b.toString(16)}`);
    }
  }
  if (text !== "" || pending.length > 0) fail("text left in the buffer without a line feed (never printed)");
  return result;
}

type ReadQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

/** jsqr is a CommonJS bundle exporting `default`; Node's ESM loader and vitest unwrap it to different depths. */
const jsQR: ReadQr = (() => {
  let candidate: unknown = jsqrModule;
  for (let depth = 0; depth < 3 && typeof candidate !== "function"; depth++) {
    candidate = (candidate as { default?: unknown } | undefined)?.default;
  }
  if (typeof candidate !== "function") throw new Error("jsqr did not load as a function");
  return candidate as ReadQr;
})();

/** A 1-bit raster (set bit = black dot) to RGBA with a white border, then through jsQR. */
function readRasterQr(raster: Uint8Array, rowBytes: number, height: number): string | null {
  const border = 16;
  const width = rowBytes * 8 + 2 * border;
  const fullHeight = height + 2 * border;
  const rgba = new Uint8ClampedArray(width * fullHeight * 4).fill(255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < rowBytes * 8; x++) {
      const bit = ((raster[y * rowBytes + (x >> 3)] as number) >> (7 - (x & 7))) & 1;
      if (bit === 0) continue;
      const at = ((y + border) * width + x + border) * 4;
      rgba[at] = 0;
      rgba[at + 1] = 0;
      rgba[at + 2] = 0;
    }
  }
  return jsQR(rgba, width, fullHeight)?.data ?? null;
}
