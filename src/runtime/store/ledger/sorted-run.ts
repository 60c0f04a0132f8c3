import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
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

/** Where a run opened from a file is, and what its body must check out to. */
interface RunFile {
  path: string;
  name: string;
  bytes: number;
  crc: number;
}

export class Run {
  private body: { offsets: Uint32Array; keys: Buffer; values: Buffer } | null;
  /** Set while the body is still on disk (a run opened from a file and not yet read). */
  private file: RunFile | null = null;
  /** Look keys up by positioned reads while the body is on disk, rather than reading it all. */
  private positioned: { keyBytes: number; lookups: number } | null = null;

  constructor(
    readonly valueSize: number,
    readonly count: number,
    offsets: Uint32Array,
    keys: Buffer,
    values: Buffer,
    /** Merge level: 0 for a run sealed from recent changes, +1 per merge. */
    readonly level: number,
  ) {
    this.body = { offsets, keys, values };
  }

  static empty(valueSize: number): Run {
    return new Run(valueSize, 0, new Uint32Array(1), Buffer.alloc(0), Buffer.alloc(0), 0);
  }

  /**
   * A run file's header, checked; its body is read (and its crc checked) on first use or by
   * `load()` in the background, so a start does not read every table. Throws if the header or
   * the file's length does not add up.
   */
  static open(path: string, name: string, expectedValueSize: number, reads: RunReads = "load"): Run {
    const fd = openSync(path, "r");
    try {
      const header = Buffer.alloc(RUN_HEADER_BYTES);
      const n = readSync(fd, header, 0, RUN_HEADER_BYTES, 0);
      const h = parseHeader(header.subarray(0, n), fstatSync(fd).size, expectedValueSize, name);
      const run = new Run(
        h.valueSize,
        h.count,
        new Uint32Array(1),
        Buffer.alloc(0),
        Buffer.alloc(0),
        h.level,
      );
      run.body = null;
      run.file = { path, name, bytes: fstatSync(fd).size, crc: h.crc };
      if (reads === "positioned") run.positioned = { keyBytes: header.readUInt32LE(12), lookups: 0 };
      return run;
    } finally {
      closeSync(fd);
    }
  }

  /** Whether the body is still on disk. */
  get onDisk(): boolean {
    return this.body === null;
  }

  private loaded(): { offsets: Uint32Array; keys: Buffer; values: Buffer } {
    if (this.body) return this.body;
    const file = this.file as RunFile;
    this.install(readFileSync(file.path), file);
    return this.body as unknown as { offsets: Uint32Array; keys: Buffer; values: Buffer };
  }

  /** Reads the body off the event loop, a chunk and its crc at a time (after a start's first paint). */
  async load(): Promise<void> {
    const file = this.file;
    if (!file || this.body) return;
    const bytes = Buffer.allocUnsafeSlow(file.bytes);
    const handle = await open(file.path, "r");
    try {
      let at = 0;
      while (at < file.bytes) {
        const { bytesRead } = await handle.read(bytes, at, Math.min(LOAD_CHUNK, file.bytes - at), at);
        if (bytesRead === 0) break;
        at += bytesRead;
        if (this.body) return;
      }
      if (at !== file.bytes) throw damaged(file.name, "wrong length");
    } finally {
      await handle.close();
    }
    if (this.body) return;
    // The crc a chunk at a time too: each a fraction of a millisecond.
    let crc = 0;
    for (let i = RUN_HEADER_BYTES; i < bytes.length; i += LOAD_CHUNK) {
      crc = crc32(bytes.subarray(i, Math.min(i + LOAD_CHUNK, bytes.length)), crc);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.body) return;
    }
    this.install(bytes, file, crc);
  }

  private install(bytes: Buffer, file: RunFile, crc = crc32(bytes.subarray(RUN_HEADER_BYTES))): void {
    if (bytes.length !== file.bytes) throw damaged(file.name, "wrong length");
    if (crc !== file.crc || bytes.readUInt32LE(16) !== file.crc)
      throw damaged(file.name, "checksum mismatch");
    const body = bytes.subarray(RUN_HEADER_BYTES);
    const offsetsBytes = (this.count + 1) * 4;
    const keyBytes = bytes.readUInt32LE(12);
    // Copied once so the offsets are aligned for a Uint32Array view.
    const offsets = new Uint32Array(this.count + 1);
    Buffer.from(offsets.buffer).set(body.subarray(0, offsetsBytes));
    this.body = {
      offsets,
      keys: body.subarray(offsetsBytes, offsetsBytes + keyBytes),
      values: body.subarray(offsetsBytes + keyBytes),
    };
    this.file = null;
  }

  get offsets(): Uint32Array {
    return this.loaded().offsets;
  }

  get keys(): Buffer {
    return this.loaded().keys;
  }

  get values(): Buffer {
    return this.loaded().values;
  }

  get bytes(): number {
    if (this.file) return this.file.bytes;
    return RUN_HEADER_BYTES + this.offsets.byteLength + this.keys.length + this.values.length;
  }

  key(i: number): Buffer {
    const { offsets, keys } = this.loaded();
    return keys.subarray(offsets[i] as number, offsets[i + 1] as number);
  }

  value(i: number): Buffer {
    if (!this.body && this.positioned) return this.readValue(i);
    return this.loaded().values.subarray(i * this.valueSize, (i + 1) * this.valueSize);
  }

  /** Index of `key`, or -1. */
  find(key: Buffer): number {
    let lo = 0;
    let hi = this.count - 1;
    if (hi < 0) return -1;
    // Past a few dozen lookups (a long journal tail replayed) reading the body once is cheaper.
    if (!this.body && this.positioned && this.positioned.lookups++ < POSITIONED_LOOKUPS)
      return this.findByReads(key, this.positioned.keyBytes);
    const { offsets, keys } = this.loaded();
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = key.compare(keys, offsets[mid] as number, offsets[mid + 1] as number);
      if (c === 0) return mid;
      if (c < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return -1;
  }

  /**
   * A binary search by positioned reads (about 2 log2(count) small reads): for a process that asks
   * about a few keys (`coupons check`). The crc is not checked, since that means reading it all;
   * each probe is checked to lie inside the file, and `journal verify` checks every table.
   */
  private findByReads(key: Buffer, keyBytes: number): number {
    const file = this.file as RunFile;
    const keysAt = RUN_HEADER_BYTES + (this.count + 1) * 4;
    const fd = openSync(file.path, "r");
    try {
      const pair = Buffer.alloc(8);
      let probe = Buffer.alloc(64);
      let lo = 0;
      let hi = this.count - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        readExactly(fd, pair, 8, RUN_HEADER_BYTES + mid * 4, file.name);
        const start = pair.readUInt32LE(0);
        const end = pair.readUInt32LE(4);
        if (end < start || end > keyBytes) throw damaged(file.name, `key ${mid} lies outside the keys`);
        if (end - start > probe.length) probe = Buffer.alloc(end - start);
        readExactly(fd, probe, end - start, keysAt + start, file.name);
        const c = key.compare(probe, 0, end - start);
        if (c === 0) return mid;
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
      }
      return -1;
    } finally {
      closeSync(fd);
    }
  }

  private readValue(i: number): Buffer {
    const file = this.file as RunFile;
    const keyBytes = (this.positioned as { keyBytes: number }).keyBytes;
    const at = RUN_HEADER_BYTES + (this.count + 1) * 4 + keyBytes + i * this.valueSize;
    const out = Buffer.alloc(this.valueSize);
    const fd = openSync(file.path, "r");
    try {
      readExactly(fd, out, this.valueSize, at, file.name);
    } finally {
      closeSync(fd);
    }
    return out;
  }

  /** The three parts to write after the header (see `header()`), without copying them together. */
  parts(): Buffer[] {
    const { offsets, keys, values } = this.loaded();
    return [Buffer.from(offsets.buffer, offsets.byteOffset, offsets.byteLength), keys, values];
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
    const h = parseHeader(bytes, bytes.length, expectedValueSize, name);
    const run = new Run(h.valueSize, h.count, new Uint32Array(1), Buffer.alloc(0), Buffer.alloc(0), h.level);
    run.install(bytes, { path: "", name, bytes: bytes.length, crc: h.crc });
    return run;
  }
}

/**
 * How a run opened from a file is read: "load" reads the whole body on first use (the daemon, which
 * looks up many keys); "positioned" answers `find`/`value` by small reads (a one-shot dry run).
 */
export type RunReads = "load" | "positioned";

const POSITIONED_LOOKUPS = 64;

function readExactly(fd: number, into: Buffer, length: number, position: number, name: string): void {
  if (readSync(fd, into, 0, length, position) !== length) throw damaged(name, "wrong length");
}

/** Bytes read (and crc'd) per turn of the event loop when a run loads in the background. */
const LOAD_CHUNK = 1 << 20;

/** A counters table on disk does not check out (derived data: the journal rebuilds it). */
export class TableDamagedError extends Error {
  override name = "TableDamagedError";
}

const damaged = (name: string, why: string) =>
  new TableDamagedError(`counters table ${name} is damaged: ${why}`);

function parseHeader(header: Buffer, fileBytes: number, expectedValueSize: number, name: string) {
  if (header.length < RUN_HEADER_BYTES || header.readUInt32LE(0) !== MAGIC)
    throw damaged(name, "not a counters table");
  const valueSize = header.readUInt32LE(4);
  const count = header.readUInt32LE(8);
  const keyBytes = header.readUInt32LE(12);
  if (valueSize !== expectedValueSize)
    throw damaged(name, `values of ${valueSize} bytes, expected ${expectedValueSize}`);
  if (fileBytes !== RUN_HEADER_BYTES + (count + 1) * 4 + keyBytes + count * valueSize)
    throw damaged(name, "wrong length");
  return { valueSize, count, crc: header.readUInt32LE(16), level: header.readUInt32LE(20) };
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
