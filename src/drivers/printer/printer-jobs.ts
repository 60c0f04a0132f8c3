import type { PrinterStatus } from "./printer.js";

/**
 * One job at a time on a printer: usblp allows one open of /dev/usb/lpN (a second gets EBUSY) and
 * many raw-TCP printers serve one connection at a time. Prints and status checks wait their turn
 * in the order asked, so a health check never runs during a receipt and a quick reprint never
 * collides with the print before it.
 */
export class PrinterJobs {
  private tail: Promise<void> = Promise.resolve();
  private waitingCheck: Promise<PrinterStatus> | null = null;

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.then(
      () => undefined,
      () => undefined, // the caller gets the failure; the next job still runs
    );
    return result;
  }

  /** A status check; one still waiting for its turn answers everyone who asks meanwhile. */
  status(check: () => Promise<PrinterStatus>): Promise<PrinterStatus> {
    if (this.waitingCheck) return this.waitingCheck;
    const result = this.run(() => {
      this.waitingCheck = null;
      return check();
    });
    this.waitingCheck = result;
    return result;
  }

  /** Resolves once every job asked for so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
