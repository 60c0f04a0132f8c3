import { refuseUnlessReady, statusOrOffline } from "./escpos-status.js";
import type { PrinterStatus, PrintJobInfo, ReceiptPrinter } from "./printer.js";
import { PrinterJobs } from "./printer-jobs.js";

/** One open connection to a printer (a device file, a socket) for one print or one status check. */
export interface PrinterLink {
  /** Asks the real-time status (DLE EOT) and reads the answer. */
  status(): Promise<PrinterStatus>;
  /** Resolves once the device has taken the chunk; rejects with a PrinterError when it cannot. */
  write(chunk: Uint8Array): Promise<void>;
  /** Resolves once the printer has everything written, so that closing cannot cut the receipt short. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A printer that answers the real-time status, driven one job at a time. Each print opens a link,
 * asks the status and refuses on paper out or offline (a receipt printed into nothing is lost
 * silently), writes in chunks (cheap printers garble data when their buffer overflows), and
 * flushes before it closes. A status check that cannot reach the printer reports it offline.
 */
export abstract class CheckedPrinter implements ReceiptPrinter {
  private readonly jobs = new PrinterJobs();

  constructor(private readonly chunkBytes: number) {}

  /** Opens the link for one job; rejects with a PrinterError saying why the printer is unreachable. */
  protected abstract open(): Promise<PrinterLink>;

  print(bytes: Uint8Array, _info?: PrintJobInfo): Promise<void> {
    return this.jobs.run(() =>
      this.withLink(async (link) => {
        refuseUnlessReady(await link.status());
        for (let at = 0; at < bytes.length; at += this.chunkBytes) {
          await link.write(bytes.subarray(at, at + this.chunkBytes));
        }
        await link.flush();
      }),
    );
  }

  status(): Promise<PrinterStatus> {
    return this.jobs.status(() => statusOrOffline(() => this.withLink((link) => link.status())));
  }

  /** Waits for the jobs already asked for, so a receipt in progress is not cut off. */
  close(): Promise<void> {
    return this.jobs.idle();
  }

  private async withLink<T>(use: (link: PrinterLink) => Promise<T>): Promise<T> {
    const link = await this.open();
    try {
      return await use(link);
    } finally {
      await link.close();
    }
  }
}
