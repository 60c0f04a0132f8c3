const FIRST_BLOCK = 64 * 1024;
const BLOCK = 4 * 1024 * 1024;

/**
 * The bytes of one request line as they arrive from a socket, copied into blocks of their own
 * (64 KiB, then 4 MiB each) as each chunk comes in. A line of tens of MB is never joined on the
 * thread that answers scans (one 50 MB copy into fresh memory blocked it for about 45 ms): its
 * blocks are transferred to the worker that reads it, and only a small line is joined here.
 */
export class LineBlocks {
  private blocks: Uint8Array[] = [];
  private used = 0;
  private total = 0;

  get length(): number {
    return this.total;
  }

  append(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) {
      let block = this.blocks[this.blocks.length - 1];
      if (!block || this.used === block.length) {
        block = new Uint8Array(this.blocks.length === 0 ? FIRST_BLOCK : BLOCK);
        this.blocks.push(block);
        this.used = 0;
      }
      const n = Math.min(bytes.length - at, block.length - this.used);
      block.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
    }
    this.total += bytes.length;
  }

  /** The line so far as views on its blocks (each block its own ArrayBuffer), and a fresh start. */
  take(): Uint8Array[] {
    const out = this.blocks.map((b, i) => (i === this.blocks.length - 1 ? b.subarray(0, this.used) : b));
    this.blocks = [];
    this.used = 0;
    this.total = 0;
    return out;
  }
}

/** The blocks as one array (for a small line, decoded where it arrived). */
export function joinBlocks(blocks: readonly Uint8Array[]): Uint8Array {
  if (blocks.length === 1) return blocks[0] as Uint8Array;
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
