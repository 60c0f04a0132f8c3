import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DevicePrinter } from "../../../src/drivers/printer/device-printer.js";
import type { Block } from "../../../src/runtime/receipts/blocks.js";
import { encodeEscPos } from "../../../src/runtime/receipts/escpos/escpos-encoder.js";
import { decodeEscPos } from "../../helpers/escpos-decode.js";
import { PtyDevice } from "../../helpers/pty-device.js";

/**
 * A printer behind a device file, simulated by a pseudo-terminal: the driver opens `printer` as it
 * would /dev/usb/lp0 or a serial line; the fake printer on the other side answers the status
 * requests (DLE EOT) with its sensor bytes and keeps what it is given to print.
 */
const dir = mkdtempSync(join(tmpdir(), "quan-lp-"));
const printerPath = join(dir, "printer");
let fake: FakeDevicePrinter | null = null;

class FakeDevicePrinter {
  printed = Buffer.alloc(0);
  statusBytes = [0x12, 0x12];
  private pending = Buffer.alloc(0);

  constructor(readonly device: PtyDevice) {
    device.onData((bytes) => this.take(bytes));
  }

  private take(bytes: Buffer): void {
    this.pending = Buffer.concat([this.pending, bytes]);
    while (this.pending.length >= 3 && this.pending[0] === 0x10 && this.pending[1] === 0x04) {
      this.device.send(
        Buffer.of(this.pending[2] === 1 ? (this.statusBytes[0] as number) : (this.statusBytes[1] as number)),
      );
      this.pending = this.pending.subarray(3);
    }
    if (this.pending.length && !(this.pending[0] === 0x10 && this.pending.length < 3)) {
      this.printed = Buffer.concat([this.printed, this.pending]);
      this.pending = Buffer.alloc(0);
    }
  }
}

async function plugIn(): Promise<void> {
  fake = new FakeDevicePrinter(await PtyDevice.plugIn(printerPath));
}

afterEach(async () => {
  const f = fake;
  fake = null;
  await f?.device.unplug();
});

const receipt: Block[] = [
  { kind: "text", text: "券核销凭证", align: "center", bold: true },
  { kind: "pair", left: "实付", right: "￥102.80" },
  { kind: "qr", data: "01M82AEQVYT7V6MJ0HPAR03CS3" },
  { kind: "cut" },
];

describe("a printer behind a device file (usblp or serial)", () => {
  it("prints the job in chunks; the bytes decode back to the receipt", async () => {
    await plugIn();
    const printer = new DevicePrinter({ path: printerPath, chunkBytes: 100 });
    expect(await printer.status()).toEqual({ online: true, paper: "ok" });
    const bytes = encodeEscPos(receipt, { width: 32 });
    await printer.print(bytes);
    const deadline = Date.now() + 3000;
    while ((fake?.printed.length ?? 0) < bytes.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const decoded = decodeEscPos(fake?.printed as Buffer);
    expect(decoded.lines.join("\n")).toMatch(/实付 +￥102\.80/);
    expect(decoded.qr).toEqual(["01M82AEQVYT7V6MJ0HPAR03CS3"]);
    expect(decoded.cut).toBe(true);
  });

  it("refuses to print on paper out, and says so", async () => {
    await plugIn();
    if (fake) fake.statusBytes = [0x12 | 0x08, 0x12 | 0x60];
    const printer = new DevicePrinter({ path: printerPath });
    expect(await printer.status()).toMatchObject({ online: false, paper: "out" });
    await expect(printer.print(encodeEscPos(receipt, { width: 32 }))).rejects.toThrow(/out of paper/);
    expect(fake?.printed.length).toBe(0);
  });

  it("an unplugged printer is offline with the reason, not a hang", async () => {
    const printer = new DevicePrinter({ path: join(dir, "absent"), timeoutMs: 300 });
    expect(await printer.status()).toMatchObject({
      online: false,
      detail: expect.stringMatching(/absent: not connected$/),
    });
    await expect(printer.print(Uint8Array.of(0x1b, 0x40))).rejects.toThrow(/not connected/);
  });
});
