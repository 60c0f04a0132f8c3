import type { CouponCode } from "../../protocol/coupon-list/index.js";
import type { CodeLookup } from "./code-lookup.js";

/**
 * A list's codes packed into four flat sections, so that a million codes cost about 20 bytes each
 * and loading them is reading bytes, not building a million objects:
 * - `blob`: the codes' ASCII bytes, concatenated in byte order (codes are ASCII by the list schema);
 * - `offsets`: n + 1 offsets into `blob` (code i is blob[offsets[i] .. offsets[i+1]));
 * - `values`: one uint32 per code: campaign number (bits 0-15), uses (bits 16-30), extras flag (bit 31);
 * - `extras`: the rare fields (member hash, TOTP secret, uses above the packed range) as JSON
 *   `[[row, {m?, t?, u?}], ...]`, decoded only when a code that has extras is looked up.
 */
export interface PackedCodes {
  offsets: Uint32Array;
  values: Uint32Array;
  blob: Uint8Array;
  extras: Uint8Array;
}

export interface CodeExtras {
  /** member hash */
  m?: string;
  /** TOTP secret */
  t?: string;
  /** uses, when above MAX_PACKED_USES */
  u?: number;
}

export const MAX_CODE_LENGTH = 64;
export const MAX_CAMPAIGNS = 0x10000;
/** Uses up to this are packed in the value; larger counts go to the extras. */
export const MAX_PACKED_USES = 0x7ffe;
const USES_IN_EXTRAS = 0x7fff;
const EXTRAS_FLAG = 0x80000000;

export function packValue(campaignNumber: number, uses: number, hasExtras: boolean): number {
  return ((hasExtras ? EXTRAS_FLAG : 0) + Math.min(uses, USES_IN_EXTRAS) * 0x10000 + campaignNumber) >>> 0;
}

export class PackedCodesError extends Error {
  override name = "PackedCodesError";
}

/** Binary search over the packed sections; a miss allocates nothing. */
const CHECKED_BEFORE: unique symbol = Symbol("checked before");

export class PackedCodeTable implements CodeLookup {
  private extrasByRow: Map<number, CodeExtras> | undefined;

  /** Checks the sections fit together (cheap: one pass over two typed arrays, no objects). */
  constructor(
    private readonly codes: PackedCodes,
    private readonly campaignIds: readonly string[],
    checked?: typeof CHECKED_BEFORE,
  ) {
    if (checked === CHECKED_BEFORE) return;
    const { offsets, values, blob } = codes;
    const n = values.length;
    if (offsets.length !== n + 1 || offsets[0] !== 0 || offsets[n] !== blob.length)
      throw new PackedCodesError("the code offsets do not match the code bytes");
    for (let i = 0; i < n; i++) {
      const len = (offsets[i + 1] as number) - (offsets[i] as number);
      if (len < 1 || len > MAX_CODE_LENGTH) throw new PackedCodesError(`code ${i} has length ${len}`);
      if (((values[i] as number) & 0xffff) >= campaignIds.length)
        throw new PackedCodesError(`code ${i} names campaign number ${(values[i] as number) & 0xffff}`);
    }
  }

  /**
   * Sections that an earlier `new PackedCodeTable` of the very same bytes has checked (the import's
   * worker thread), so the thread that serves scans does not pass over a million rows again.
   */
  static checkedBefore(codes: PackedCodes, campaignIds: readonly string[]): PackedCodeTable {
    return new PackedCodeTable(codes, campaignIds, CHECKED_BEFORE);
  }

  get size(): number {
    return this.codes.values.length;
  }

  has(code: string): boolean {
    return this.find(code) >= 0;
  }

  get(code: string): CouponCode | undefined {
    const row = this.find(code);
    return row < 0 ? undefined : this.entryAt(row, code);
  }

  /** Every code in byte order (for compaction and verification, not for the hot path). */
  *entries(): IterableIterator<CouponCode> {
    const { offsets, blob } = this.codes;
    for (let row = 0; row < this.size; row++) {
      const code = Buffer.from(blob.buffer, blob.byteOffset, blob.length).toString(
        "latin1",
        offsets[row] as number,
        offsets[row + 1] as number,
      );
      yield this.entryAt(row, code);
    }
  }

  /** The codes of one campaign (a scan of the values: used when a delta removes a campaign). */
  *codesOfCampaign(campaignId: string): IterableIterator<string> {
    const n = this.campaignIds.indexOf(campaignId);
    if (n < 0) return;
    const { offsets, values, blob } = this.codes;
    const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
    for (let row = 0; row < values.length; row++) {
      if (((values[row] as number) & 0xffff) === n)
        yield bytes.toString("latin1", offsets[row] as number, offsets[row + 1] as number);
    }
  }

  /** The row of `code`, or -1. */
  find(code: string): number {
    const len = code.length;
    if (len === 0 || len > MAX_CODE_LENGTH) return -1;
    for (let i = 0; i < len; i++) if (code.charCodeAt(i) > 0x7f) return -1;
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compareRow(mid, code);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private compareRow(row: number, code: string): number {
    const { offsets, blob } = this.codes;
    const start = offsets[row] as number;
    const rowLen = (offsets[row + 1] as number) - start;
    const n = Math.min(rowLen, code.length);
    for (let i = 0; i < n; i++) {
      const d = (blob[start + i] as number) - code.charCodeAt(i);
      if (d !== 0) return d;
    }
    return rowLen - code.length;
  }

  private entryAt(row: number, code: string): CouponCode {
    const v = this.codes.values[row] as number;
    const out: CouponCode = {
      code,
      campaign: this.campaignIds[v & 0xffff] as string,
      uses: (v >>> 16) & 0x7fff,
    };
    if (v & EXTRAS_FLAG) {
      const extras = this.extrasOf(row);
      if (extras.u !== undefined) out.uses = extras.u;
      if (extras.m !== undefined) out.member = extras.m;
      if (extras.t !== undefined) out.totp = extras.t;
    }
    return out;
  }

  private extrasOf(row: number): CodeExtras {
    this.extrasByRow ??= decodeExtras(this.codes.extras);
    const extras = this.extrasByRow.get(row);
    if (!extras) throw new PackedCodesError(`code ${row} is flagged with extras that are missing`);
    return extras;
  }
}

export function decodeExtras(bytes: Uint8Array): Map<number, CodeExtras> {
  if (bytes.length === 0) return new Map();
  const rows = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8")) as [
    number,
    CodeExtras,
  ][];
  return new Map(rows);
}

/**
 * Collects codes in list order and packs them sorted. Holds one string and one uint32 per code
 * while building; refuses duplicates and codes of campaigns it was not given.
 */
export class PackedCodesBuilder {
  /**
   * The codes' bytes as they arrive, one after the other, in a buffer that grows by doubling: a
   * million codes as JS strings cost ~40 MB of heap, as bytes ~12 MB.
   */
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private starts = new Uint32Array(1024);
  private values = new Uint32Array(1024);
  private n = 0;
  private readonly extras = new Map<number, CodeExtras>();
  private readonly campaignNumbers = new Map<string, number>();

  constructor(readonly campaignIds: readonly string[]) {
    if (campaignIds.length > MAX_CAMPAIGNS)
      throw new PackedCodesError(`more than ${MAX_CAMPAIGNS} campaigns`);
    campaignIds.forEach((id, i) => {
      this.campaignNumbers.set(id, i);
    });
  }

  get count(): number {
    return this.n;
  }

  /** `code` must already have passed the list's code check (ASCII, 1-64 characters). */
  add(code: CouponCode): void {
    const n = this.campaignNumbers.get(code.campaign);
    if (n === undefined)
      throw new PackedCodesError(`code "${code.code}": no campaign "${code.campaign}" in this list`);
    const i = this.n;
    const uses = code.uses ?? 1;
    const extras: CodeExtras = {};
    if (uses > MAX_PACKED_USES) extras.u = uses;
    if (code.member !== undefined) extras.m = code.member;
    if (code.totp !== undefined) extras.t = code.totp;
    const hasExtras = extras.u !== undefined || extras.m !== undefined || extras.t !== undefined;
    if (hasExtras) this.extras.set(i, extras);
    if (i + 1 >= this.values.length) {
      this.values = grown(this.values);
      this.starts = grown(this.starts);
    }
    if (this.used + code.code.length > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + code.code.length));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    this.values[i] = packValue(n, uses, hasExtras);
    this.starts[i] = this.used;
    this.used += this.bytes.write(code.code, this.used, "latin1");
    this.starts[i + 1] = this.used;
    this.n++;
  }

  finish(): PackedCodes {
    const { n, bytes, starts } = this;
    const order = sortedOrder(bytes, starts, n);
    const identity = order === null;
    const at = (row: number) => (identity ? row : (order[row] as number));
    const offsets = new Uint32Array(n + 1);
    const values = new Uint32Array(n);
    const blob = identity ? bytes.subarray(0, this.used) : Buffer.allocUnsafe(this.used);
    let total = 0;
    const extraRows: [number, CodeExtras][] = [];
    for (let row = 0; row < n; row++) {
      const from = at(row);
      const start = starts[from] as number;
      const end = starts[from + 1] as number;
      if (row > 0) {
        const prev = at(row - 1);
        if (bytes.compare(bytes, starts[prev] as number, starts[prev + 1] as number, start, end) === 0)
          throw new PackedCodesError(`duplicate code "${bytes.toString("latin1", start, end)}"`);
      }
      offsets[row] = total;
      if (!identity) bytes.copy(blob, total, start, end);
      total += end - start;
      values[row] = this.values[from] as number;
      const extras = this.extras.get(from);
      if (extras) extraRows.push([row, extras]);
    }
    offsets[n] = total;
    const extras = extraRows.length ? Buffer.from(JSON.stringify(extraRows), "utf8") : new Uint8Array(0);
    return { offsets, values, blob, extras };
  }
}

function grown(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Row order by byte order of the codes, or null when they arrived in order (lists often do, so
 * that is checked first and costs no sort and no copy).
 */
function sortedOrder(bytes: Buffer, starts: Uint32Array, n: number): Uint32Array | null {
  const compare = (a: number, b: number) =>
    bytes.compare(
      bytes,
      starts[b] as number,
      starts[b + 1] as number,
      starts[a] as number,
      starts[a + 1] as number,
    );
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (compare(i - 1, i) > 0) sorted = false;
  if (sorted) return null;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort(compare);
}
