import { describe, expect, it } from "vitest";
import { DevicePrinter } from "../../../src/drivers/printer/device-printer.js";
import type { Block } from "../../../src/runtime/receipts/blocks.js";
import { encodeEscPos } from "../../../src/runtime/receipts/escpos/escpos-encoder.js";
import { decodeEscPos } from "../../helpers/escpos-decode.js";
import { SimulatedUsblp } from "../../helpers/simulated-usblp.js";

/**
 * The device printer on the kernel's usblp driver (/dev/usb/lp0), simulated with the driver's
 * semantics: non-blocking writes return while their data is in flight, close() discards what is
 * in flight, and only one open at a time.
 */
const PATH = "/dev/usb/lp0";

function receipt(id: string): Uint8Array {
  const blocks: Block[] = [
    { kind: "text", text: "券核销凭证", align: "center", bold: true },
    { kind: "pair", left: "单号", right: id },
    { kind: "pair", left: "实付", right: "￥102.80" },
    { kind: "qr", data: id },
    { kind: "cut" },
  ];
  return encodeEscPos(blocks, { width: 32 });
}

const FIRST = "01M82AEQVYT7V6MJ0HPAR03CS3";
const SECOND = "01M82AEQVYT7V6MJ0HPAR03CS4";

describe("a printer on usblp", () => {
  it("gets the whole receipt, its cut included, before the device is closed", async () => {
    const usblp = new SimulatedUsblp(PATH);
    const printer = new DevicePrinter({ path: PATH, files: usblp });
    const bytes = receipt(FIRST);
    await printer.print(bytes);
    expect(usblp.isOpen).toBe(false);
    expect(usblp.lost).toBe(0);
    expect(usblp.printed).toEqual(Buffer.from(bytes));
    const decoded = decodeEscPos(usblp.printed);
    expect(decoded.qr).toEqual([FIRST]);
    expect(decoded.cut).toBe(true);
  });

  it("prints a receipt that starts during a health check, after it, every byte", async () => {
    const usblp = new SimulatedUsblp(PATH);
    const printer = new DevicePrinter({ path: PATH, files: usblp });
    const bytes = receipt(FIRST);
    const health = printer.status();
    const printed = printer.print(bytes);
    expect(await health).toEqual({ online: true, paper: "ok" });
    await printed;
    expect(usblp.busyRefusals).toBe(0);
    expect(usblp.printed).toEqual(Buffer.from(bytes));
  });

  it("prints a reprint fired right after a print: both whole, in order", async () => {
    const usblp = new SimulatedUsblp(PATH);
    const printer = new DevicePrinter({ path: PATH, files: usblp });
    const first = receipt(FIRST);
    const again = receipt(SECOND);
    await Promise.all([printer.print(first), printer.print(again), printer.status()]);
    expect(usblp.busyRefusals).toBe(0);
    expect(usblp.lost).toBe(0);
    expect(usblp.printed).toEqual(Buffer.concat([first, again]));
    expect(decodeEscPos(usblp.printed).qr).toEqual([FIRST, SECOND]);
  });

  it("health checks asked while a job prints wait for it, and share one check", async () => {
    const usblp = new SimulatedUsblp(PATH);
    const printer = new DevicePrinter({ path: PATH, files: usblp });
    let opens = 0;
    const open = usblp.open.bind(usblp);
    usblp.open = (path) => {
      opens++;
      return open(path);
    };
    const job = printer.print(receipt(FIRST));
    const checks = await Promise.all([printer.status(), printer.status(), printer.status()]);
    await job;
    expect(checks).toEqual([
      { online: true, paper: "ok" },
      { online: true, paper: "ok" },
      { online: true, paper: "ok" },
    ]);
    expect(opens).toBe(2);
  });

  it("says so when the printer stops taking the end of a receipt, and prints again after", async () => {
    const usblp = new SimulatedUsblp(PATH);
    const printer = new DevicePrinter({ path: PATH, files: usblp, timeoutMs: 300 });
    const job = printer.print(Uint8Array.of(0x1b, 0x40, 0x41, 0x0a, 0x1d, 0x56, 0x00));
    // The printer jams once the status has been answered: the job's data never leaves.
    setTimeout(() => (usblp.stalled = true), 0);
    const started = Date.now();
    await expect(job).rejects.toThrow(/did not take the end of the receipt within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(usblp.isOpen).toBe(false);

    usblp.stalled = false;
    await printer.print(receipt(SECOND));
    expect(decodeEscPos(usblp.printed).qr).toEqual([SECOND]);
  });

  it("names another program holding the printer open", async () => {
    const usblp = new SimulatedUsblp(PATH);
    usblp.open(PATH);
    const printer = new DevicePrinter({ path: PATH, files: usblp, timeoutMs: 300 });
    await expect(printer.print(receipt(FIRST))).rejects.toThrow(/in use by another program/);
    expect(await printer.status()).toMatchObject({ online: false, detail: expect.stringMatching(/in use/) });
  });
});
