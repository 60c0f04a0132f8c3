import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { endianness } from "node:os";
import type { PackedCodes } from "../../engine/packed-codes.js";
import { writeFileDurable } from "../durable-file.js";

/**
 * The code table file: a 64-byte header, then a small JSON part (`meta`: the list without its
 * codes, campaign numbering, where the list came from), then the packed code sections.
 *
 *   0  8  magic "QUANLST1"        16  4  meta bytes M          28  4  reserved (0)
 *   8  4  layout version (1)      20  4  code bytes B          32 32  SHA-256 of bytes 64..end
 *  12  4  code count n            24  4  extras bytes E
 *  64  M meta JSON, zero-padded to a multiple of 4; offsets (n+1) x u32; values n x u32; codes B;
 *      extras E. All integers little-endian; the file is exactly that long.
 *
 * The SHA-256 catches truncation and bit rot at every load (12 ms for a million codes here). It
 * does not stop someone who can write the data directory: they could recompute it. What stops a
 * forged list is the merchant's signature, kept with the signed document beside this file and
 * re-verified off the hot path (see list-cache.ts).
 */
export const TABLE_MAGIC = "QUANLST1";
/** The table's name in a list cache directory. */
export const TABLE_FILE = "codes.table";
const HEADER = 64;
const LAYOUT = 1;

export class TableFileError extends Error {
  override name = "TableFileError";
  constructor(path: string, problem: string) {
    super(`coupon list cache ${path} is damaged: ${problem} (re-import the list, or run \`quan doctor\`)`);
  }
}

export interface TableLayout {
  count: number;
  metaBytes: number;
  blobBytes: number;
  extrasBytes: number;
  /** Where each section starts in the file. */
  metaAt: number;
  offsetsAt: number;
  valuesAt: number;
  blobAt: number;
  extrasAt: number;
  total: number;
  sha256: Buffer;
}

export function encodeTable(meta: unknown, codes: PackedCodes): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta), "utf8");
  const layout = layoutOf(codes.values.length, metaBytes.length, codes.blob.length, codes.extras.length);
  const out = Buffer.alloc(layout.total);
  out.write(TABLE_MAGIC, 0, "latin1");
  out.writeUInt32LE(LAYOUT, 8);
  out.writeUInt32LE(layout.count, 12);
  out.writeUInt32LE(layout.metaBytes, 16);
  out.writeUInt32LE(layout.blobBytes, 20);
  out.writeUInt32LE(layout.extrasBytes, 24);
  metaBytes.copy(out, layout.metaAt);
  out.set(bytesOf(codes.offsets), layout.offsetsAt);
  out.set(bytesOf(codes.values), layout.valuesAt);
  out.set(codes.blob, layout.blobAt);
  out.set(codes.extras, layout.extrasAt);
  createHash("sha256").update(out.subarray(HEADER)).digest().copy(out, 32);
  return out;
}

/** Writes the table durably; returns the bytes written (its own ArrayBuffer, transferable). */
export function writeTableFile(path: string, meta: unknown, codes: PackedCodes): Buffer {
  assertLittleEndian();
  const bytes = encodeTable(meta, codes);
  writeFileDurable(path, bytes);
  return bytes;
}

/** Reads and checks the whole file; the sections are views on its bytes (no per-code objects). */
export function readTableFile(path: string): { meta: unknown; codes: PackedCodes } {
  return decodeTable(path, readFileSync(path), "check-hash");
}

/**
 * The table in `bytes` (a whole table file's content). "check-hash" recomputes the SHA-256 (bytes
 * read from disk); "hashed-here" skips it for bytes this process or its worker has just encoded
 * and written (`encodeTable` computed the hash over these very bytes), so that handing a freshly
 * built table to the thread that serves scans costs no pass over it.
 */
export function decodeTable(
  path: string,
  bytes: Uint8Array,
  hash: "check-hash" | "hashed-here",
): { meta: unknown; codes: PackedCodes } {
  assertLittleEndian();
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const layout = parseHeader(path, buf.subarray(0, HEADER), buf.length);
  if (hash === "check-hash") {
    const actual = createHash("sha256").update(buf.subarray(HEADER)).digest();
    if (!actual.equals(layout.sha256)) throw new TableFileError(path, "its content hash does not match");
  }
  return {
    meta: parseMeta(path, buf.subarray(layout.metaAt, layout.metaAt + layout.metaBytes)),
    codes: sectionsOf(buf, layout),
  };
}

export function parseHeader(path: string, header: Buffer, fileSize: number): TableLayout {
  if (header.length < HEADER || header.toString("latin1", 0, 8) !== TABLE_MAGIC)
    throw new TableFileError(path, "it is not a code table (bad header)");
  if (header.readUInt32LE(8) !== LAYOUT)
    throw new TableFileError(path, `unknown layout version ${header.readUInt32LE(8)}`);
  const layout = layoutOf(
    header.readUInt32LE(12),
    header.readUInt32LE(16),
    header.readUInt32LE(20),
    header.readUInt32LE(24),
  );
  if (layout.total !== fileSize)
    throw new TableFileError(path, `it is ${fileSize} bytes, its header says ${layout.total} (truncated?)`);
  layout.sha256 = Buffer.from(header.subarray(32, 64));
  return layout;
}

export function parseMeta(path: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new TableFileError(path, `its JSON part does not parse (${(err as Error).message})`);
  }
}

function layoutOf(count: number, metaBytes: number, blobBytes: number, extrasBytes: number): TableLayout {
  const metaAt = HEADER;
  const offsetsAt = metaAt + Math.ceil(metaBytes / 4) * 4;
  const valuesAt = offsetsAt + (count + 1) * 4;
  const blobAt = valuesAt + count * 4;
  const extrasAt = blobAt + blobBytes;
  return {
    count,
    metaBytes,
    blobBytes,
    extrasBytes,
    metaAt,
    offsetsAt,
    valuesAt,
    blobAt,
    extrasAt,
    total: extrasAt + extrasBytes,
    sha256: Buffer.alloc(0),
  };
}

function sectionsOf(bytes: Buffer, l: TableLayout): PackedCodes {
  return {
    offsets: u32View(bytes, l.offsetsAt, l.count + 1),
    values: u32View(bytes, l.valuesAt, l.count),
    blob: bytes.subarray(l.blobAt, l.blobAt + l.blobBytes),
    extras: bytes.subarray(l.extrasAt, l.extrasAt + l.extrasBytes),
  };
}

/** A view when the bytes are aligned (large reads are), else a copy. */
function u32View(bytes: Buffer, at: number, length: number): Uint32Array {
  const offset = bytes.byteOffset + at;
  if (offset % 4 === 0) return new Uint32Array(bytes.buffer, offset, length);
  return new Uint32Array(bytes.buffer.slice(offset, offset + length * 4));
}

function bytesOf(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function assertLittleEndian(): void {
  if (endianness() !== "LE") throw new Error("the code table format is little-endian; this CPU is not");
}
