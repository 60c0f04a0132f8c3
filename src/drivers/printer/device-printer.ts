import { closeSync, constants, openSync, readSync, writeSync } from "node:fs";
import {
  DLE_EOT_PAPER,
  DLE_EOT_PRINTER,
  refuseUnlessReady,
  statusFromBytes,
  statusOrOffline,
} from "./escpos-status.js";
import { PrinterError, type PrinterStatus, type PrintJobInfo, type ReceiptPrinter } from "./printer.js";

export interface DevicePrinterOptions {
  /** /dev/usb/lp0 (kernel usblp: no native code, group lp) or a serial tty; prefer a udev symlink. */
  path: string;
  timeoutMs?: number;
  /** Bytes per write: cheap printers garble data when their buffer overflows. */
  chunkBytes?: number;
}

const POLL_MS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A receipt printer behind a device file: the kernel's usblp driver (/dev/usb/lpN) or a serial
 * line. Opened non-blocking for each job, so an unplugged or stuck printer is a timeout and a clear
 * error, never a hung terminal. Before printing it asks the real-time status (DLE EOT) and refuses
 * on paper out or offline; data goes in chunks, waiting whenever the device buffer is full.
 */
export class DevicePrinter implements ReceiptPrinter {
  private readonly timeoutMs: number;
  private readonly chunkBytes: number;

  constructor(private readonly opts: DevicePrinterOptions) {
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.chunkBytes = opts.chunkBytes ?? 512;
  }

  async print(bytes: Uint8Array, _info?: PrintJobInfo): Promise<void> {
    const fd = this.open();
    try {
      const status = await this.query(fd);
      refuseUnlessReady(status);
      for (let i = 0; i < bytes.length; i += this.chunkBytes)
        await this.write(fd, bytes.subarray(i, i + this.chunkBytes));
    } finally {
      closeSync(fd);
    }
  }

  status(): Promise<PrinterStatus> {
    return statusOrOffline(async () => {
      const fd = this.open();
      try {
        return await this.query(fd);
      } finally {
        closeSync(fd);
      }
    });
  }

  async close(): Promise<void> {}

  private open(): number {
    try {
      return openSync(this.opts.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? "not connected"
          : code === "EACCES"
            ? "no permission (is the service user in group lp?)"
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
        got += readSync(fd, answer, got, 2 - got, null);
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
        written += writeSync(fd, chunk, written, chunk.length - written);
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
}
