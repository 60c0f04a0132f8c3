import { buildRun, type Run } from "./sorted-run.js";

/** How a value is kept in a run's fixed-size slot. */
export interface Codec<V> {
  size: number;
  /** Pure: a frozen value may be encoded after newer values of its key were set. */
  encode(value: V, key: string): Buffer;
  decode(bytes: Buffer): V;
}

/** A run in the stack, with the file it is (or will be) written to. */
export interface StackedRun {
  run: Run;
  /** File name in the ledger directory; set once sealed, written by the next checkpoint. */
  file: string;
  written: boolean;
}

/** Changes frozen by a checkpoint: still looked up here until they are built into a run. */
interface Frozen<V> {
  map: Map<string, V>;
  tag: string;
  /** Entries encoded so far (the build goes a slice at a time). */
  encoded: [Buffer, Buffer][];
  keys: Iterator<[string, V]>;
}

/** Entries encoded per slice of a build (each well under a millisecond). */
const BUILD_SLICE = 128;

/**
 * A map from string keys to small values, for keys that could number in the millions: the
 * changes since the last checkpoint in a Map, everything before in sorted runs (newest first,
 * looked up by binary search). A checkpoint freezes the Map (constant time, on the commit path)
 * and builds it into a run later, a slice at a time (bounded by the commits between checkpoints);
 * runs of a level merge into one of the next level when `fanOut` of them pile up, a slice at a
 * time, so each entry is rewritten about log_fanOut(n) times in all.
 */
export class CompactMap<V> {
  private live = new Map<string, V>();
  /** Frozen changes not yet built into runs, newest first (all newer than every run). */
  private frozen: Frozen<V>[] = [];
  /** Newest first. */
  runs: StackedRun[] = [];
  /** Told when a table read from disk fails its check (the lookup throws too). */
  onDamage: ((err: Error, file: string) => void) | null = null;

  constructor(
    readonly name: string,
    readonly codec: Codec<V>,
  ) {}

  get(key: string): V | undefined {
    const fresh = this.live.get(key);
    if (fresh !== undefined) return fresh;
    for (const f of this.frozen) {
      const v = f.map.get(key);
      if (v !== undefined) return v;
    }
    if (this.runs.length === 0) return undefined;
    const k = Buffer.from(key, "utf8");
    for (const { run, file } of this.runs) {
      let i: number;
      try {
        i = run.find(k);
      } catch (err) {
        this.onDamage?.(err as Error, file);
        throw err;
      }
      if (i >= 0) return this.codec.decode(run.value(i));
    }
    return undefined;
  }

  set(key: string, value: V): void {
    this.live.set(key, value);
  }

  /** Entries changed since the last freeze, and frozen ones not yet built into runs. */
  get pending(): number {
    let n = this.live.size;
    for (const f of this.frozen) n += f.map.size;
    return n;
  }

  /** Sets the changes since the last freeze aside for a run (constant time). */
  freeze(tag: string): void {
    if (this.live.size === 0) return;
    const map = this.live;
    this.frozen.unshift({ map, tag, encoded: [], keys: map.entries() });
    this.live = new Map();
  }

  /**
   * Builds frozen changes into runs, oldest first, until `deadline` (performance.now()); true
   * once none is left. Each run goes to the top of the stack (newer than every run before it).
   */
  build(deadline = Number.POSITIVE_INFINITY): boolean {
    for (;;) {
      const f = this.frozen.at(-1);
      if (!f) return true;
      for (;;) {
        let n = 0;
        let step = f.keys.next();
        while (!step.done) {
          const [k, v] = step.value;
          f.encoded.push([Buffer.from(k, "utf8"), this.codec.encode(v, k)]);
          if (++n === BUILD_SLICE) break;
          step = f.keys.next();
        }
        if (step.done) break;
        if (performance.now() >= deadline) return false;
      }
      f.encoded.sort((a, b) => a[0].compare(b[0]));
      this.runs.unshift({
        run: buildRun(f.encoded, this.codec.size),
        file: `${this.name}-${f.tag}-0.run`,
        written: false,
      });
      this.frozen.pop();
      if (performance.now() >= deadline) return this.frozen.length === 0;
    }
  }

  /** Freezes the changes and builds them into a run at once (a replay, a close). */
  seal(tag: string): void {
    this.freeze(tag);
    this.build();
  }

  /** The oldest `fanOut` runs in a row sharing a level, if any: the next merge. */
  mergeCandidate(fanOut: number): StackedRun[] | null {
    let end = this.runs.length;
    while (end > 0) {
      const level = (this.runs[end - 1] as StackedRun).run.level;
      let start = end - 1;
      while (start > 0 && (this.runs[start - 1] as StackedRun).run.level === level) start--;
      if (end - start >= fanOut) return this.runs.slice(end - fanOut, end);
      end = start;
    }
    return null;
  }

  /** Puts a merged run in place of its inputs (still in the stack, in a row). */
  replace(inputs: readonly StackedRun[], merged: Run, tag: string): void {
    const at = this.runs.indexOf(inputs[0] as StackedRun);
    if (at < 0 || inputs.some((r, i) => this.runs[at + i] !== r))
      throw new Error(`${this.name}: merge inputs are no longer in the stack`);
    const file = `${this.name}-${tag}-${merged.level}.run`;
    this.runs.splice(at, inputs.length, { run: merged, file, written: false });
  }

  /** Whether `run` is the oldest in the stack (a zero count there shadows nothing and can go). */
  isOldest(run: StackedRun): boolean {
    return this.runs.at(-1) === run;
  }

  /** Bytes held by the runs (the Map's entries come on top, a checkpoint's worth at most). */
  get bytes(): number {
    let n = 0;
    for (const { run } of this.runs) n += run.bytes;
    return n;
  }

  load(runs: StackedRun[]): void {
    this.runs = runs;
    this.live = new Map();
    this.frozen = [];
  }
}

// ---- codecs -----------------------------------------------------------------------------------

export const countCodec: Codec<number> = {
  size: 4,
  encode(n) {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(n, 0);
    return b;
  },
  decode: (b) => b.readUInt32LE(0),
};

/** A spent token: presence is all (the step is in the key). */
export const presenceCodec: Codec<number> = {
  size: 1,
  encode: () => Buffer.of(1),
  decode: () => 1,
};

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID's 128 bits, or null if `id` is not a canonical ULID (26 Crockford digits, first <= 7). */
export function ulidBytes(id: string): Buffer | null {
  if (id.length !== 26) return null;
  const b = Buffer.alloc(16);
  // 130 bits, the top two zero: a 5-bit accumulator flushed a byte at a time from the right.
  let acc = 0;
  let bits = 0;
  let out = 15;
  for (let i = 25; i >= 0; i--) {
    const v = CROCKFORD.indexOf(id[i] as string);
    if (v < 0) return null;
    acc |= v << bits;
    bits += 5;
    while (bits >= 8 && out >= 0) {
      b[out--] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (acc !== 0) return null;
  return b;
}

export function ulidText(bytes: Buffer): string {
  let text = "";
  let acc = 0;
  let bits = 0;
  for (let i = 15; i >= 0; i--) {
    acc |= (bytes[i] as number) << bits;
    bits += 8;
    while (bits >= 5) {
      text = CROCKFORD[acc & 31] + text;
      acc >>>= 5;
      bits -= 5;
    }
  }
  return CROCKFORD[acc & 31] + text;
}

/** Milliseconds in a ULID's first 48 bits. */
export const ulidTime = (bytes: Buffer) => bytes.readUIntBE(0, 6);
