import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PrinterStatus, PrintJobInfo, ReceiptPrinter } from "./printer.js";

export interface FilePrinterOptions {
  dir: string;
  now?: () => number;
}

/**
 * A printer that writes each job to `<dir>/<timestamp>-<n>[-label].bin` (the ESC/POS bytes) and, when
 * the job has a text rendering, the same name with `.txt`. Receipts are not the ledger: a job lost
 * to a power cut can be reprinted from the journal, so plain writes are enough.
 */
export class FilePrinter implements ReceiptPrinter {
  private readonly dir: string;
  private readonly now: () => number;
  private jobs = 0;

  constructor(options: FilePrinterOptions) {
    this.dir = options.dir;
    this.now = options.now ?? Date.now;
  }

  async print(bytes: Uint8Array, info: PrintJobInfo = {}): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const base = this.claimName(bytes, info.label);
    if (info.text !== undefined) writeFileSync(`${base}.txt`, info.text, { encoding: "utf8", flag: "wx" });
  }

  async status(): Promise<PrinterStatus> {
    return { online: true, paper: "ok" };
  }

  async close(): Promise<void> {}

  /** Writes the .bin under the next free name and returns that name without extension. */
  private claimName(bytes: Uint8Array, label: string | undefined): string {
    const stamp = new Date(this.now()).toISOString().replace(/[-:]/g, "").replace(".", "");
    const tag = label ? `-${label.replace(/[^0-9A-Za-z_-]/g, "_")}` : "";
    for (;;) {
      this.jobs += 1;
      const base = join(this.dir, `${stamp}-${this.jobs}${tag}`);
      try {
        // "wx": never overwrite a receipt, e.g. one an earlier process wrote in the same millisecond.
        writeFileSync(`${base}.bin`, bytes, { flag: "wx" });
        return base;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
  }
}
