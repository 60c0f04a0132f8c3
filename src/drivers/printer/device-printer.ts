import { type DeviceFiles, systemDeviceFiles } from "./device-files.js";
import {
  DLE_EOT_PAPER,
  DLE_EOT_PRINTER,
  refuseUnlessReady,
  statusFromBytes,
  statusOrOffline,
} from "./escpos-status.js";
import { PrinterError, type PrinterStatus, type PrintJobInfo, type ReceiptPrinter } from "./printer.js";
import { PrinterJobs } from "./printer-jobs.js";

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
export class DevicePrinter implements ReceiptPrinter {
  private readonly timeoutMs: number;
  private readonly chunkBytes: number;
  private readonly files: DeviceFiles;
  private readonly jobs = new PrinterJobs();

  constructor(private readonly opts: DevicePrinterOptions) {
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.chunkBytes = opts.chunkBytes ?? 512;
    this.files = opts.files ?? systemDeviceFiles;
  }

  print(bytes: Uint8Array, _info?: PrintJobInfo): Promise<void> {
    return this.jobs.run(async () => {
      const fd = this.open();
      try {
        const status = await this.query(fd);
        refuseUnlessReady(status);
        for (let i = 0; i < bytes.length; i += this.chunkBytes)
          await this.write(fd, bytes.subarray(i, i + this.chunkBytes));
        await this.drain(fd);
      } finally {
        this.files.close(fd);
      }
    });
  }

  status(): Promise<PrinterStatus> {
    return this.jobs.status(() =>
      statusOrOffline(async () => {
        const fd = this.open();
        try {
          return await this.query(fd);
        } finally {
          this.files.close(fd);
        }
      }),
    );
  }

  /** Waits for the jobs already asked for, so a receipt in progress is not cut off. */
  close(): Promise<void> {
    return this.jobs.idle();
  }

  private open(): number {
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
    const deadline = Date.now() + this.timeoutMs;
    while (got < 2) {
      try {
        got += this.files.read(fd, answer, got, 2 - got);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      }
      if (got < 2) {
        if (Date.now() > deadline) {
          throw new PrinterError(`printer ${this.opts.path} did not answer the status request`, {
            online: false,
            paper: "unknown",
          });
        }
        await sleep(POLL_MS);
      }
    }
    return statusFromBytes(answer[0] as number, answer[1] as number);
  }

  private async write(fd: number, chunk: Uint8Array): Promise<void> {
    let written = 0;
    const deadline = Date.now() + this.timeoutMs;
    while (written < chunk.length) {
      try {
        written += this.files.write(fd, chunk, written, chunk.length - written);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") {
          throw new PrinterError(`writing to printer ${this.opts.path} failed: ${(err as Error).message}`, {
            online: false,
            paper: "unknown",
          });
        }
        if (Date.now() > deadline) {
          throw new PrinterError(`printer ${this.opts.path} stopped taking data`, {
            online: false,
            paper: "unknown",
          });
        }
        await sleep(POLL_MS);
      }
    }
  }

  /**
   * usblp: a non-blocking write returns while its data is still on the way to the printer, and
   * close() cancels what is in flight (the end of the receipt: QR bottom, feed, cut). The driver
   * answers a zero-length write with EAGAIN until the last write has gone out. A serial line or a
   * pty takes it at once.
   */
  private async drain(fd: number): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      try {
        this.files.write(fd, NOTHING, 0, 0);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") {
          throw new PrinterError(`writing to printer ${this.opts.path} failed: ${(err as Error).message}`, {
            online: false,
            paper: "unknown",
          });
        }
      }
      if (Date.now() > deadline) {
        throw new PrinterError(
          `printer ${this.opts.path} did not take the end of the receipt within ${this.timeoutMs} ms; ` +
            "it may be cut short",
          { online: false, paper: "unknown" },
        );
      }
      await sleep(POLL_MS);
    }
  }
}
