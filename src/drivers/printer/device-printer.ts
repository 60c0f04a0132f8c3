import { CheckedPrinter, type PrinterLink } from "./checked-printer.js";
import { type DeviceFiles, systemDeviceFiles } from "./device-files.js";
import { DLE_EOT_PAPER, DLE_EOT_PRINTER, statusFromBytes } from "./escpos-status.js";
import { PrinterError, type PrinterStatus } from "./printer.js";

export interface DevicePrinterOptions {
  /** /dev/usb/lp0 (kernel usblp: no native code, group lp) or a serial tty; prefer a udev symlink. */
  path: string;
  timeoutMs?: number;
  /** Bytes per write: cheap printers garble data when their buffer overflows. */
  chunkBytes?: number;
  /** The device's file operations: the real file system unless a test simulates the device. */
  files?: DeviceFiles;
}

const POLL_MS = 10;
const NOTHING = new Uint8Array(0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A receipt printer behind a device file: the kernel's usblp driver (/dev/usb/lpN) or a serial
 * line. Opened non-blocking for each job, so an unplugged or stuck printer is a timeout and a clear
 * error, never a hung terminal. Before printing it asks the real-time status (DLE EOT) and refuses
 * on paper out or offline; data goes in chunks, waiting whenever the device buffer is full, and the
 * device is closed only once the printer has taken the last byte. This object is the device's one
 * owner: prints and status checks take turns (usblp allows one open at a time).
 */
export class DevicePrinter extends CheckedPrinter {
  private readonly timeoutMs: number;
  private readonly files: DeviceFiles;

  constructor(private readonly opts: DevicePrinterOptions) {
    super(opts.chunkBytes ?? 512);
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.files = opts.files ?? systemDeviceFiles;
  }

  protected async open(): Promise<PrinterLink> {
    const fd = this.openDevice();
    return {
      status: () => this.query(fd),
      write: (chunk) => this.write(fd, chunk),
      flush: () => this.drain(fd),
      close: async () => this.files.close(fd),
    };
  }

  private openDevice(): number {
    try {
      return this.files.open(this.opts.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? "not connected"
          : code === "EACCES"
            ? "no permission (is the service user in group lp?)"
            : code === "EBUSY"
              ? "in use by another program (usblp allows one at a time)"
              : (err as Error).message;
      throw new PrinterError(`printer ${this.opts.path}: ${why}`, {
        online: false,
        paper: "unknown",
        detail: why,
      });
    }
  }

  private async query(fd: number): Promise<PrinterStatus> {
    await this.write(fd, Buffer.concat([DLE_EOT_PRINTER, DLE_EOT_PAPER]));
    const answer = Buffer.alloc(2);
    let got = 0;
    await this.retry(
      () => {
        got += this.files.read(fd, answer, got, 2 - got);
        return got === 2;
      },
      "reading from",
      "did not answer the status request",
    );
    return statusFromBytes(answer[0] as number, answer[1] as number);
  }

  private async write(fd: number, chunk: Uint8Array): Promise<void> {
    let written = 0;
    await this.retry(
      () => {
        written += this.files.write(fd, chunk, written, chunk.length - written);
        return written === chunk.length;
      },
      "writing to",
      "stopped taking data",
    );
  }

  /**
   * usblp: a non-blocking write returns while its data is still on the way to the printer, and
   * close() cancels what is in flight (the end of the receipt: QR bottom, feed, cut). The driver
   * answers a zero-length write with EAGAIN until the last write has gone out. A serial line or a
   * pty takes it at once.
   */
  private drain(fd: number): Promise<void> {
    return this.retry(
      () => {
        this.files.write(fd, NOTHING, 0, 0);
        return true;
      },
      "writing to",
      `did not take the end of the receipt within ${this.timeoutMs} ms; it may be cut short`,
    );
  }

  /**
   * Repeats a non-blocking step until it is done. EAGAIN means the device is busy: wait and try
   * again until the timeout. Any other error means the printer is gone.
   */
  private async retry(step: () => boolean, doing: string, late: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      try {
        if (step()) return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") {
          throw this.failure(`${doing} printer ${this.opts.path} failed: ${(err as Error).message}`);
        }
      }
      if (Date.now() > deadline) throw this.failure(`printer ${this.opts.path} ${late}`);
      await sleep(POLL_MS);
    }
  }

  private failure(message: string): PrinterError {
    return new PrinterError(message, { online: false, paper: "unknown" });
  }
}
