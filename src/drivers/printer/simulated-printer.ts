import { refuseUnlessReady } from "./escpos-status.js";
import { PrinterError, type PrinterStatus, type PrintJobInfo, type ReceiptPrinter } from "./printer.js";

export interface SimulatedJob {
  bytes: Uint8Array;
  text?: string;
  label?: string;
}

/**
 * A printer in memory, for tests and the demo. Set its status to show paper out or offline: while
 * it cannot print, `print` rejects with a PrinterError as a real device would fail.
 */
export class SimulatedPrinter implements ReceiptPrinter {
  readonly jobs: SimulatedJob[] = [];
  private current: PrinterStatus = { online: true, paper: "ok" };
  private closed = false;

  setStatus(status: PrinterStatus): void {
    this.current = { ...status };
  }

  async print(bytes: Uint8Array, info: PrintJobInfo = {}): Promise<void> {
    if (this.closed) throw new PrinterError("printer is closed", { online: false, paper: "unknown" });
    refuseUnlessReady({ ...this.current });
    this.jobs.push({ bytes: Uint8Array.from(bytes), ...info });
  }

  async status(): Promise<PrinterStatus> {
    return { ...this.current };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
