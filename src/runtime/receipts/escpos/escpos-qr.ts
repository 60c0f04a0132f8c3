import QRCode from "qrcode";

/** QR codes as ESC/POS commands: a raster image (prints on any printer) or Epson's native `GS ( k`. */

const QUIET_ZONE_MODULES = 4;
/** 6 dots = 0.75 mm per module at 203 dpi: large enough for phone cameras and cheap scanners. */
const MAX_MODULE_DOTS = 6;

export function qrModules(data: string): { size: number; dark(row: number, col: number): boolean } {
  const { modules } = QRCode.create(data, { errorCorrectionLevel: "M" });
  return { size: modules.size, dark: (row, col) => modules.get(row, col) === 1 };
}

/** Dots per module so that the symbol and its quiet zone fit in `paperDots`. */
export function moduleDots(symbolSize: number, paperDots: number): number {
  const fit = Math.floor(paperDots / (symbolSize + 2 * QUIET_ZONE_MODULES));
  if (fit < 1) throw new RangeError(`a ${symbolSize}-module QR code does not fit in ${paperDots} dots`);
  return Math.min(MAX_MODULE_DOTS, fit);
}

/** `GS v 0`: the symbol with its quiet zone as a 1-bit raster image, each module a square of dots. */
export function qrRaster(data: string, paperDots: number): Uint8Array {
  const qr = qrModules(data);
  const scale = moduleDots(qr.size, paperDots);
  const side = (qr.size + 2 * QUIET_ZONE_MODULES) * scale;
  const rowBytes = Math.ceil(side / 8);
  const header = [0x1d, 0x76, 0x30, 0x00, rowBytes & 0xff, rowBytes >> 8, side & 0xff, side >> 8];
  const out = new Uint8Array(header.length + rowBytes * side);
  out.set(header);
  for (let y = 0; y < side; y++) {
    const row = Math.floor(y / scale) - QUIET_ZONE_MODULES;
    for (let x = 0; x < side; x++) {
      const col = Math.floor(x / scale) - QUIET_ZONE_MODULES;
      const inside = row >= 0 && row < qr.size && col >= 0 && col < qr.size;
      if (!inside || !qr.dark(row, col)) continue;
      const at = header.length + y * rowBytes + (x >> 3);
      out[at] = (out[at] ?? 0) | (0x80 >> (x & 7));
    }
  }
  return out;
}

/** `GS ( k`: model 2, module size, error correction M, store the data, print it. */
export function qrNative(data: string, paperDots: number): Uint8Array {
  const payload = new TextEncoder().encode(data);
  if (payload.length > 7089) throw new RangeError(`QR payload of ${payload.length} bytes is too long`);
  const size = moduleDots(qrModules(data).size, paperDots);
  const storeLength = payload.length + 3;
  return Uint8Array.from([
    ...[0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00],
    ...[0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, size],
    ...[0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31],
    ...[0x1d, 0x28, 0x6b, storeLength & 0xff, storeLength >> 8, 0x31, 0x50, 0x30],
    ...payload,
    ...[0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30],
  ]);
}
