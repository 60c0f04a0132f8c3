import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { CouponCode } from "../../../protocol/coupon-list/index.js";
import { decodeExtras, MAX_CODE_LENGTH, PackedCodeTable } from "../../engine/packed-codes.js";
import { parseHeader, parseMeta, readTableFile, TableFileError, type TableLayout } from "./table-file.js";

const CHUNK = 1 << 20;

/**
 * Answers codes from a table file without loading it: a binary search by positioned reads (about
 * 40 small reads for a million codes). For `coupons check`, a process that asks about one code.
 * `open` streams the file once through SHA-256 in 1 MB chunks (bounded memory) so a damaged
 * table is reported rather than answered from.
 */
export class TableFileReader {
  private constructor(
    private readonly path: string,
    private readonly fd: number,
    private readonly layout: TableLayout,
    readonly meta: unknown,
  ) {}

  static open(path: string): TableFileReader {
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      const header = Buffer.alloc(64);
      readSync(fd, header, 0, 64, 0);
      const layout = parseHeader(path, header, size);
      const hash = createHash("sha256");
      const chunk = Buffer.allocUnsafe(CHUNK);
      for (let at = 64; at < size; ) {
        const n = readSync(fd, chunk, 0, Math.min(CHUNK, size - at), at);
        if (n === 0) throw new TableFileError(path, "it ended while being read");
        hash.update(chunk.subarray(0, n));
        at += n;
      }
      if (!hash.digest().equals(layout.sha256))
        throw new TableFileError(path, "its content hash does not match");
      const metaBytes = Buffer.alloc(layout.metaBytes);
      readSync(fd, metaBytes, 0, layout.metaBytes, layout.metaAt);
      return new TableFileReader(path, fd, layout, parseMeta(path, metaBytes));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  get size(): number {
    return this.layout.count;
  }

  /** The entry of `code`, with its campaign as a number into the table's campaign numbering. */
  find(code: string): (Omit<CouponCode, "campaign"> & { campaignNumber: number }) | undefined {
    const len = code.length;
    if (len === 0 || len > MAX_CODE_LENGTH) return undefined;
    for (let i = 0; i < len; i++) if (code.charCodeAt(i) > 0x7f) return undefined;
    const target = Buffer.from(code, "latin1");
    const pair = Buffer.alloc(8);
    const bytes = Buffer.alloc(MAX_CODE_LENGTH);
    let lo = 0;
    let hi = this.layout.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      this.read(pair, 8, this.layout.offsetsAt + mid * 4);
      const start = pair.readUInt32LE(0);
      const rowLen = pair.readUInt32LE(4) - start;
      if (rowLen < 1 || rowLen > MAX_CODE_LENGTH)
        throw new TableFileError(this.path, `code ${mid} has length ${rowLen}`);
      this.read(bytes, rowLen, this.layout.blobAt + start);
      const c = Buffer.compare(bytes.subarray(0, rowLen), target);
      if (c === 0) return this.entry(mid, code);
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  close(): void {
    closeSync(this.fd);
  }

  private entry(row: number, code: string): Omit<CouponCode, "campaign"> & { campaignNumber: number } {
    const v = Buffer.alloc(4);
    this.read(v, 4, this.layout.valuesAt + row * 4);
    const value = v.readUInt32LE(0);
    const out: Omit<CouponCode, "campaign"> & { campaignNumber: number } = {
      code,
      campaignNumber: value & 0xffff,
      uses: (value >>> 16) & 0x7fff,
    };
    if (value & 0x80000000) {
      const extrasBytes = Buffer.alloc(this.layout.extrasBytes);
      this.read(extrasBytes, extrasBytes.length, this.layout.extrasAt);
      const extras = decodeExtras(extrasBytes).get(row);
      if (!extras) throw new TableFileError(this.path, `code ${row} is flagged with extras that are missing`);
      if (extras.u !== undefined) out.uses = extras.u;
      if (extras.m !== undefined) out.member = extras.m;
      if (extras.t !== undefined) out.totp = extras.t;
    }
    return out;
  }

  private read(into: Buffer, length: number, position: number): void {
    const n = readSync(this.fd, into, 0, length, position);
    if (n !== length) throw new TableFileError(this.path, "it ended while being read");
  }
}

/**
 * The codes of a table file answered by positioned reads, for a process that asks about a few
 * codes (`coupons check`): nothing is loaded but the header and the JSON part.
 */
export class TableFileLookup {
  constructor(
    private readonly reader: TableFileReader,
    private readonly campaignIds: readonly string[],
    private readonly path: string,
  ) {}

  get size(): number {
    return this.reader.size;
  }

  get(code: string): CouponCode | undefined {
    const found = this.reader.find(code);
    if (!found) return undefined;
    const { campaignNumber, ...rest } = found;
    const campaign = this.campaignIds[campaignNumber];
    if (campaign === undefined)
      throw new TableFileError(this.path, `a code names campaign number ${campaignNumber}, which it lacks`);
    return { ...rest, campaign };
  }

  has(code: string): boolean {
    return this.reader.find(code) !== undefined;
  }

  /** Rare (an overlay whose delta removed a campaign): reads the whole table once. */
  codesOfCampaign(campaignId: string): Iterable<string> {
    const { codes } = readTableFile(this.path);
    return new PackedCodeTable(codes, [...this.campaignIds]).codesOfCampaign(campaignId);
  }

  close(): void {
    this.reader.close();
  }
}
