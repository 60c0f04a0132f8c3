import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { PrinterError } from "../../../src/drivers/printer/printer.js";
import { TcpPrinter } from "../../../src/drivers/printer/tcp-printer.js";
import type { Block } from "../../../src/runtime/receipts/blocks.js";
import { encodeEscPos } from "../../../src/runtime/receipts/escpos/escpos-encoder.js";
import { decodeEscPos } from "../../helpers/escpos-decode.js";

/**
 * A network receipt printer on loopback: answers the real-time status requests (DLE EOT) that
 * open each connection with its sensor bytes, and keeps what it is sent for printing.
 */
class FakeNetworkPrinter {
  printed: Buffer[] = [];
  statusBytes = [0x12, 0x12];
  /** Status requests that arrived while another connection was still open. */
  overlapping = 0;
  private open = 0;
  private server: Server | null = null;

  async listen(): Promise<number> {
    this.server = createServer((socket) => {
      let pending = Buffer.alloc(0);
      let answered = 0;
      let left = false;
      const job: Buffer[] = [];
      this.open++;
      const leave = () => {
        if (!left) this.open--;
        left = true;
      };
      socket.on("error", leave);
      socket.on("close", leave);
      socket.on("data", (chunk) => {
        pending = Buffer.concat([pending, chunk]);
        while (answered < 2 && pending.length >= 3 && pending[0] === 0x10 && pending[1] === 0x04) {
          if (answered === 0 && this.open > 1) this.overlapping++;
          socket.write(Buffer.of(this.statusBytes[answered] as number));
          answered++;
          pending = pending.subarray(3);
        }
        if (answered === 2 && pending.length) {
          job.push(pending);
          pending = Buffer.alloc(0);
        }
      });
      socket.on("end", () => {
        leave();
        if (job.length) this.printed.push(Buffer.concat(job));
        socket.end();
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    const address = this.server.address();
    if (typeof address !== "object" || !address) throw new Error("no address");
    return address.port;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }
}

let fake: FakeNetworkPrinter;
afterEach(async () => fake?.close());

const receipt: Block[] = [
  { kind: "text", text: "券核销凭证", align: "center", bold: true },
  { kind: "pair", left: "实付", right: "￥102.80" },
  { kind: "qr", data: "01M82AEQVYT7V6MJ0HPAR03CS3" },
  { kind: "cut" },
];

describe("a network receipt printer (raw TCP 9100)", () => {
  it("prints the whole job in chunks; the bytes decode back to the receipt", async () => {
    fake = new FakeNetworkPrinter();
    const printer = new TcpPrinter({ host: "127.0.0.1", port: await fake.listen(), chunkBytes: 64 });
    await printer.print(encodeEscPos(receipt, { width: 32 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.printed).toHaveLength(1);
    const decoded = decodeEscPos(fake.printed[0] as Buffer);
    expect(decoded.lines.join("\n")).toMatch(/券核销凭证/);
    expect(decoded.lines.join("\n")).toMatch(/实付 +￥102\.80/);
    expect(decoded.qr).toEqual(["01M82AEQVYT7V6MJ0HPAR03CS3"]);
    expect(decoded.cut).toBe(true);
  });

  it("says paper out instead of printing into nothing", async () => {
    fake = new FakeNetworkPrinter();
    fake.statusBytes = [0x12 | 0x08, 0x12 | 0x60];
    const printer = new TcpPrinter({ host: "127.0.0.1", port: await fake.listen() });
    expect(await printer.status()).toMatchObject({ online: false, paper: "out" });
    await expect(printer.print(encodeEscPos(receipt, { width: 32 }))).rejects.toThrow(PrinterError);
    await expect(printer.print(encodeEscPos(receipt, { width: 32 }))).rejects.toThrow(/out of paper/);
    expect(fake.printed).toHaveLength(0);
    fake.statusBytes = [0x12, 0x12 | 0x0c];
    expect(await printer.status()).toEqual({ online: true, paper: "low" });
  });

  it("a printer that is not there is offline, with the reason", async () => {
    fake = new FakeNetworkPrinter();
    const port = await fake.listen();
    await fake.close();
    const printer = new TcpPrinter({ host: "127.0.0.1", port, timeoutMs: 500 });
    expect(await printer.status()).toMatchObject({
      online: false,
      detail: expect.stringMatching(/cannot reach printer 127\.0\.0\.1/),
    });
    await expect(printer.print(Uint8Array.of(0x1b, 0x40))).rejects.toThrow(/cannot reach printer/);
  });

  it("takes one job at a time: a health check and a reprint asked during a print wait for it", async () => {
    fake = new FakeNetworkPrinter();
    const printer = new TcpPrinter({ host: "127.0.0.1", port: await fake.listen(), chunkBytes: 64 });
    const first = encodeEscPos(receipt, { width: 32 });
    const again = encodeEscPos([{ kind: "text", text: "重印" }, ...receipt], { width: 32 });
    const [, health] = await Promise.all([printer.print(first), printer.status(), printer.print(again)]);
    await printer.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(health).toEqual({ online: true, paper: "ok" });
    expect(fake.overlapping).toBe(0);
    expect(fake.printed.map((b) => decodeEscPos(b).lines[0]?.trim())).toEqual(["券核销凭证", "重印"]);
  });
});
