import { describe, expect, it } from "vitest";
import { CheckedPrinter, type PrinterLink } from "../../../src/drivers/printer/checked-printer.js";
import { PrinterError, type PrinterStatus } from "../../../src/drivers/printer/printer.js";

/** A printer whose links record what each job did, in order, and answer with `statusNow`. */
class RecordingPrinter extends CheckedPrinter {
  statusNow: PrinterStatus = { online: true, paper: "ok" };
  unreachable: string | null = null;
  readonly log: string[] = [];
  readonly received: number[] = [];

  protected async open(): Promise<PrinterLink> {
    if (this.unreachable) throw new PrinterError(this.unreachable, { online: false, paper: "unknown" });
    this.log.push("open");
    return {
      status: async () => {
        this.log.push("status");
        return { ...this.statusNow };
      },
      write: async (chunk) => {
        this.log.push(`write ${chunk.length}`);
        this.received.push(...chunk);
      },
      flush: async () => {
        this.log.push("flush");
      },
      close: async () => {
        this.log.push("close");
      },
    };
  }
}

const job = Uint8Array.from({ length: 10 }, (_, i) => i);

describe("a printer that answers its status, driven one job at a time", () => {
  it("checks the status, writes in chunks, flushes, then closes", async () => {
    const printer = new RecordingPrinter(4);
    await printer.print(job);
    expect(printer.log).toEqual(["open", "status", "write 4", "write 4", "write 2", "flush", "close"]);
    expect(printer.received).toEqual([...job]);
  });

  it("refuses on paper out or offline without writing a byte, and still closes the link", async () => {
    const printer = new RecordingPrinter(4);
    printer.statusNow = { online: true, paper: "out" };
    await expect(printer.print(job)).rejects.toMatchObject({ status: { paper: "out" } });
    printer.statusNow = { online: false, paper: "unknown", detail: "cover open" };
    await expect(printer.print(job)).rejects.toThrow("cover open");
    expect(printer.log).toEqual(["open", "status", "close", "open", "status", "close"]);
    expect(printer.received).toEqual([]);
  });

  it("reports an unreachable printer as offline, with the reason", async () => {
    const printer = new RecordingPrinter(4);
    printer.unreachable = "printer lp0: not connected";
    expect(await printer.status()).toEqual({
      online: false,
      paper: "unknown",
      detail: "printer lp0: not connected",
    });
    await expect(printer.print(job)).rejects.toBeInstanceOf(PrinterError);
  });

  it("runs a status check asked during a print after it, not in the middle", async () => {
    const printer = new RecordingPrinter(4);
    await Promise.all([printer.print(job), printer.status(), printer.close()]);
    expect(printer.log).toEqual([
      ...["open", "status", "write 4", "write 4", "write 2", "flush", "close"],
      ...["open", "status", "close"],
    ]);
  });
});
