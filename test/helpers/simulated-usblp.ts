import type { DeviceFiles } from "../../src/drivers/printer/device-files.js";

/** USBLP_BUF_SIZE: the most one write() hands to one URB. */
const URB_BYTES = 8192;

export interface SimulatedUsblpOptions {
  /** How long one URB takes to reach the printer. */
  urbMs?: number;
}

/**
 * A receipt printer behind the kernel's usblp driver (drivers/usb/class/usblp.c), as the device
 * printer's file port. The driver's semantics, not a convenient fake:
 * - one open at a time: a second open while one is open gets EBUSY;
 * - a non-blocking write copies up to 8192 bytes into one URB, submits it and returns at once;
 *   while that URB is in flight every write, zero-length included, gets EAGAIN;
 * - the printer has the bytes only when the URB completes (`urbMs` later, or never when stalled);
 * - close() kills the URB in flight: its bytes never reach the printer;
 * - a write holding only DLE EOT n requests is answered with one status byte each, read back by
 *   a non-blocking read (EAGAIN while there is nothing to read).
 */
export class SimulatedUsblp implements DeviceFiles {
  /** What reached the printer to be printed, in order (status requests left out). */
  printed = Buffer.alloc(0);
  /** Bytes a close() threw away while they were in flight. */
  lost = 0;
  /** Opens refused because the device was already open. */
  busyRefusals = 0;
  /** DLE EOT 1 and DLE EOT 4 answers. */
  statusBytes: [number, number] = [0x12, 0x12];
  /** A stalled printer never completes a URB (jammed, or its buffer never empties). */
  stalled = false;

  private openFd: number | null = null;
  private nextFd = 1000;
  private inFlight: { data: Buffer; timer: NodeJS.Timeout | null } | null = null;
  private readable = Buffer.alloc(0);
  private readonly urbMs: number;

  constructor(
    readonly path: string,
    opts: SimulatedUsblpOptions = {},
  ) {
    this.urbMs = opts.urbMs ?? 5;
  }

  get isOpen(): boolean {
    return this.openFd !== null;
  }

  open(path: string): number {
    if (path !== this.path) throw errno("ENOENT", `open '${path}'`);
    if (this.openFd !== null) {
      this.busyRefusals++;
      throw errno("EBUSY", `open '${path}'`);
    }
    this.openFd = this.nextFd++;
    this.readable = Buffer.alloc(0);
    return this.openFd;
  }

  write(fd: number, from: Uint8Array, offset: number, length: number): number {
    this.check(fd, "write");
    if (this.inFlight) throw errno("EAGAIN", "write");
    if (length === 0) return 0;
    const data = Buffer.from(from.subarray(offset, offset + Math.min(length, URB_BYTES)));
    const urb: { data: Buffer; timer: NodeJS.Timeout | null } = { data, timer: null };
    if (!this.stalled) urb.timer = setTimeout(() => this.complete(urb), this.urbMs);
    this.inFlight = urb;
    return data.length;
  }

  read(fd: number, into: Uint8Array, offset: number, length: number): number {
    this.check(fd, "read");
    if (this.readable.length === 0) throw errno("EAGAIN", "read");
    const n = Math.min(length, this.readable.length);
    into.set(this.readable.subarray(0, n), offset);
    this.readable = this.readable.subarray(n);
    return n;
  }

  close(fd: number): void {
    this.check(fd, "close");
    if (this.inFlight) {
      if (this.inFlight.timer) clearTimeout(this.inFlight.timer);
      this.lost += this.inFlight.data.length;
      this.inFlight = null;
    }
    this.openFd = null;
  }

  private complete(urb: { data: Buffer }): void {
    if (this.inFlight !== urb) return;
    this.inFlight = null;
    const { data } = urb;
    if (isStatusRequests(data)) {
      for (let i = 0; i < data.length; i += 3)
        this.readable = Buffer.concat([
          this.readable,
          Buffer.of(data[i + 2] === 1 ? this.statusBytes[0] : this.statusBytes[1]),
        ]);
    } else {
      this.printed = Buffer.concat([this.printed, data]);
    }
  }

  private check(fd: number, what: string): void {
    if (fd !== this.openFd) throw errno("EBADF", what);
  }
}

function isStatusRequests(data: Buffer): boolean {
  if (data.length === 0 || data.length % 3 !== 0) return false;
  for (let i = 0; i < data.length; i += 3) if (data[i] !== 0x10 || data[i + 1] !== 0x04) return false;
  return true;
}

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall}`), { code, syscall });
}
