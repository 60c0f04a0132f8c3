import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FilePrinter } from "../../../src/drivers/printer/file-printer.js";
import { layoutRedemption } from "../../../src/runtime/receipts/layout-redemption.js";
import { renderReceipt } from "../../../src/runtime/receipts/render-receipt.js";
import { decodeEscPos } from "../../helpers/escpos-decode.js";
import { context, REDEMPTION_ID, redemption } from "../../runtime/receipts/receipt-fixtures.js";

const NOW = Date.parse("2026-11-22T10:30:05.123Z");

describe("file printer", () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "quan-receipts-"));
    dir = join(root, "receipts");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("writes each job as <timestamp>-<n>.bin with the readable .txt beside it", async () => {
    const printer = new FilePrinter({ dir, now: () => NOW });
    await printer.print(Uint8Array.from([0x1b, 0x40, 0x41, 0x0a]), { text: "A\n" });
    await printer.print(Uint8Array.from([0x1b, 0x40]));
    expect(readdirSync(dir).sort()).toEqual([
      "20261122T103005123Z-1.bin",
      "20261122T103005123Z-1.txt",
      "20261122T103005123Z-2.bin",
    ]);
    expect(Array.from(readFileSync(join(dir, "20261122T103005123Z-1.bin")))).toEqual([
      0x1b, 0x40, 0x41, 0x0a,
    ]);
    expect(readFileSync(join(dir, "20261122T103005123Z-1.txt"), "utf8")).toBe("A\n");
  });

  it("adds the job's label to the name, made safe for a file name", async () => {
    const printer = new FilePrinter({ dir, now: () => NOW });
    await printer.print(Uint8Array.from([0x1b, 0x40]), { label: "void/../x" });
    expect(readdirSync(dir)).toEqual(["20261122T103005123Z-1-void____x.bin"]);
  });

  it("never overwrites a receipt already there", async () => {
    await new FilePrinter({ dir, now: () => NOW }).print(Uint8Array.from([1]));
    writeFileSync(join(dir, "20261122T103005123Z-2.bin"), "kept");
    const restarted = new FilePrinter({ dir, now: () => NOW });
    await restarted.print(Uint8Array.from([0x1b, 0x40]));
    expect(readdirSync(dir).sort()).toEqual([
      "20261122T103005123Z-1.bin",
      "20261122T103005123Z-2.bin",
      "20261122T103005123Z-3.bin",
    ]);
    expect(readFileSync(join(dir, "20261122T103005123Z-2.bin"), "utf8")).toBe("kept");
  });

  it("is always online with paper", async () => {
    expect(await new FilePrinter({ dir }).status()).toEqual({ online: true, paper: "ok" });
  });

  it("keeps a receipt as ESC/POS bytes and as text that say the same thing", async () => {
    const printer = new FilePrinter({ dir, now: () => NOW });
    const blocks = layoutRedemption(context("zh-CN", 32), redemption());
    const { bytes, text: rendered } = renderReceipt(blocks, { width: 32 });
    await printer.print(bytes, { text: rendered, label: "redeem" });
    const base = join(dir, "20261122T103005123Z-1-redeem");
    const decoded = decodeEscPos(readFileSync(`${base}.bin`));
    const text = readFileSync(`${base}.txt`, "utf8");
    expect(decoded.lines[0]).toBe("券核销凭证");
    expect(decoded.qr).toEqual([REDEMPTION_ID]);
    expect(text.split("\n")[0]?.trim()).toBe("券核销凭证");
    expect(text).toContain(`[QR: ${REDEMPTION_ID}]`);
    expect(text).toContain("实付                    ￥108.50");
    expect(decoded.lines).toContain("实付                    ￥108.50");
  });
});
