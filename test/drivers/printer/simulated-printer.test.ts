import { describe, expect, it } from "vitest";
import { PrinterError } from "../../../src/drivers/printer/printer.js";
import { SimulatedPrinter } from "../../../src/drivers/printer/simulated-printer.js";
import { layoutRedemption } from "../../../src/runtime/receipts/layout-redemption.js";
import { renderReceipt } from "../../../src/runtime/receipts/render-receipt.js";
import { decodeEscPos } from "../../helpers/escpos-decode.js";
import { context, REDEMPTION_ID, redemption } from "../../runtime/receipts/receipt-fixtures.js";

describe("simulated printer", () => {
  it("keeps each job's bytes and text", async () => {
    const printer = new SimulatedPrinter();
    const { bytes, text } = renderReceipt(layoutRedemption(context("en", 48), redemption()), {
      width: 48,
      qr: "native",
    });
    await printer.print(bytes, { text });
    expect(printer.jobs).toHaveLength(1);
    const job = printer.jobs[0];
    expect(decodeEscPos(job?.bytes ?? new Uint8Array()).qr).toEqual([REDEMPTION_ID]);
    expect(job?.text).toContain("Coupon redemption");
  });

  it("refuses to print while out of paper or offline, and says why", async () => {
    const printer = new SimulatedPrinter();
    printer.setStatus({ online: true, paper: "out" });
    expect(await printer.status()).toEqual({ online: true, paper: "out" });
    const outOfPaper = printer.print(Uint8Array.from([0x1b, 0x40]));
    await expect(outOfPaper).rejects.toBeInstanceOf(PrinterError);
    await expect(outOfPaper).rejects.toMatchObject({ status: { paper: "out" } });

    printer.setStatus({ online: false, paper: "unknown", detail: "cover open" });
    await expect(printer.print(Uint8Array.from([0x1b, 0x40]))).rejects.toThrow("cover open");
    expect(printer.jobs).toHaveLength(0);

    printer.setStatus({ online: true, paper: "low" });
    await printer.print(Uint8Array.from([0x1b, 0x40]));
    expect(printer.jobs).toHaveLength(1);
  });

  it("refuses jobs after close", async () => {
    const printer = new SimulatedPrinter();
    await printer.close();
    await expect(printer.print(Uint8Array.from([0x1b, 0x40]))).rejects.toThrow(/closed/);
  });
});
