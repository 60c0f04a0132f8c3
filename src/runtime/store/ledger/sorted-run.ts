import { crc32 } from "node:zlib";

/**
 * An immutable table of (key, fixed-size value), keys sorted by their UTF-8 bytes, looked up by
 * binary search. One run on disk:
 *
 *     "QRN1" | valueSize u32 | count u32 | keyBytes u32 | crc32 u32 | reserved u32   (24 bytes)
 *     offsets: (count + 1) x u32 LE     where each key starts in the key bytes
 *     keys:    keyBytes
 *     values:  count x valueSize
 *
 * The crc covers everything after the header. In memory a run is three views of those bytes: no
 * object per entry, so a million used codes cost about their bytes.
 */

const MAGIC = 0x314e5251; // "QRN1" little-endian
export const RUN_HEADER_BYTES = 24;

export class Run {
  constructor(
    readonly valueSize: number,
    readonly count: number,
    readonly offsets: Uint32Array,
    readonly keys: Buffer,
    readonly values: Buffer,
    /** Merge level: 0 for a run sealed from recent changes, +1 per merge. */
    readonly level: number,
  ) {}

  static empty(valueSize: number): Run {
    return new Run(valueSize, 0, new Uint32Array(1), Buffer.alloc(0), Buffer.alloc(0), 0);
  }

  get bytes(): number {
    return RUN_HEADER_BYTES + this.offsets.byteLength + this.keys.length + this.values.length;
  }

  key(i: number): Buffer {
    return this.keys.subarray(this.offsets[i] as number, this.offsets[i + 1] as number);
  }

  value(i: number): Buffer {
    return this.values.subarray(i * this.valueSize, (i + 1) * this.valueSize);
  }

  /** Index of `key`, or -1. */
  find(key: Buffer): number {
    let lo = 0;
    let hi = this.count - 1;
    const { offsets, keys } = this;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = key.compare(keys, offsets[mid] as number, offsets[mid + 1] as number);
      if (c === 0) return mid;
      if (c < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return -1;
  }

  /** The three parts to write after the header (see `header()`), without copying them together. */
  parts(): Buffer[] {
    return [
      Buffer.from(this.offsets.buffer, this.offsets.byteOffset, this.offsets.byteLength),
      this.keys,
      this.values,
    ];
  }

  header(crc: number): Buffer {
    const h = Buffer.alloc(RUN_HEADER_BYTES);
    h.writeUInt32LE(MAGIC, 0);
    h.writeUInt32LE(this.valueSize, 4);
    h.writeUInt32LE(this.count, 8);
    h.writeUInt32LE(this.keys.length, 12);
    h.writeUInt32LE(crc, 16);
    h.writeUInt32LE(this.level, 20);
    return h;
  }

  /** Parses and checks a run file's bytes; throws on anything that does not add up. */
  static decode(bytes: Buffer, expectedValueSize: number, name: string): Run {
    const bad = (why: string) => new Error(`counters table ${name} is damaged: ${why}`);
    if (bytes.length < RUN_HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) throw bad("not a counters table");
    const valueSize = bytes.readUInt32LE(4);
    const count = bytes.readUInt32LE(8);
    const keyBytes = bytes.readUInt32LE(12);
    const crc = bytes.readUInt32LE(16);
    const level = bytes.readUInt32LE(20);
    if (valueSize !== expectedValueSize)
      throw bad(`values of ${valueSize} bytes, expected ${expectedValueSize}`);
    const offsetsBytes = (count + 1) * 4;
    if (bytes.length !== RUN_HEADER_BYTES + offsetsBytes + keyBytes + count * valueSize)
      throw bad("wrong length");
    const body = bytes.subarray(RUN_HEADER_BYTES);
    if (crc32(body) !== crc) throw bad("checksum mismatch");
    // Copied once so the offsets are aligned for a Uint32Array view.
    const offsets = new Uint32Array(count + 1);
    Buffer.from(offsets.buffer).set(body.subarray(0, offsetsBytes));
    const keys = body.subarray(offsetsBytes, offsetsBytes + keyBytes);
    const values = body.subarray(offsetsBytes + keyBytes);
    return new Run(valueSize, count, offsets, keys, values, level);
  }
}

/** Builds a run from entries already sorted by key bytes (no duplicates). */
export function buildRun(sorted: readonly [Buffer, Buffer][], valueSize: number, level = 0): Run {
  const count = sorted.length;
  const offsets = new Uint32Array(count + 1);
  let keyBytes = 0;
  for (const [k] of sorted) keyBytes += k.length;
  const keys = Buffer.allocUnsafe(keyBytes);
  const values = Buffer.allocUnsafe(count * valueSize);
  let at = 0;
  sorted.forEach(([k, v], i) => {
    offsets[i] = at;
    k.copy(keys, at);
    at += k.length;
    v.copy(values, i * valueSize, 0, valueSize);
  });
  offsets[count] = at;
  return new Run(valueSize, count, offsets, keys, values, level);
}

/** The crc of a run's body, a slice at a time (a big run's crc must not stall a commit). */
export function* crcOfRun(run: Run, slice = 256 << 10): Generator<void, number> {
  let crc = 0;
  for (const part of run.parts()) {
    for (let i = 0; i < part.length; i += slice) {
      crc = crc32(part.subarray(i, i + slice), crc);
      yield;
    }
  }
  return crc;
}

/** Key `i` of run `a` against key `j` of run `b`, without a view of either (a merge makes millions). */
function compareKeys(a: Run, i: number, b: Run, j: number): number {
  return a.keys.compare(
    b.keys,
    b.offsets[j] as number,
    b.offsets[j + 1] as number,
    a.offsets[i] as number,
    a.offsets[i + 1] as number,
  );
}

/**
 * Merges runs (newest first) into one, a slice at a time: for a key in several runs the newest
 * value wins; `keep(run, i)` false drops entry i of that run (a zero count in the oldest run, a
 * spent token too old to be presented again). Yields every `slice` entries; allocates nothing per
 * entry, so a big merge does not keep the garbage collector busy.
 */
export function* mergeRuns(
  runs: readonly Run[],
  keep: (run: Run, i: number) => boolean,
  slice = 4096,
): Generator<void, Run> {
  const valueSize = runs[0]?.valueSize ?? 0;
  let maxCount = 0;
  let maxKeys = 0;
  for (const r of runs) {
    maxCount += r.count;
    maxKeys += r.keys.length;
  }
  // Not zero-filled (every slot used is written): a big merge's first slice stays short.
  const offsets = new Uint32Array(Buffer.allocUnsafeSlow((maxCount + 1) * 4).buffer, 0, maxCount + 1);
  const keys = Buffer.allocUnsafeSlow(maxKeys);
  const values = Buffer.allocUnsafeSlow(maxCount * valueSize);
  const heads = runs.map(() => 0);
  let count = 0;
  let at = 0;
  let steps = 0;
  for (;;) {
    let best = -1;
    for (let r = 0; r < runs.length; r++) {
      const h = heads[r] as number;
      if (h >= (runs[r] as Run).count) continue;
      // Strictly less: among equal keys the newest run's (the lowest r) stays the best.
      if (best < 0 || compareKeys(runs[r] as Run, h, runs[best] as Run, heads[best] as number) < 0) best = r;
    }
    if (best < 0) break;
    const run = runs[best] as Run;
    const i = heads[best] as number;
    // Newest first: the first run holding the key has its newest value; skip it in the older ones.
    for (let r = best + 1; r < runs.length; r++) {
      const h = heads[r] as number;
      if (h < (runs[r] as Run).count && compareKeys(runs[r] as Run, h, run, i) === 0) heads[r] = h + 1;
    }
    heads[best] = i + 1;
    if (keep(run, i)) {
      const start = run.offsets[i] as number;
      const end = run.offsets[i + 1] as number;
      offsets[count] = at;
      run.keys.copy(keys, at, start, end);
      at += end - start;
      run.values.copy(values, count * valueSize, i * valueSize, (i + 1) * valueSize);
      count++;
    }
    if (++steps % slice === 0) yield;
  }
  offsets[count] = at;
  const level = Math.max(...runs.map((r) => r.level)) + 1;
  return new Run(
    valueSize,
    count,
    offsets.subarray(0, count + 1),
    keys.subarray(0, at),
    values.subarray(0, count * valueSize),
    level,
  );
}
