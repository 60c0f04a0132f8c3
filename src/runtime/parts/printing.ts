import { resolve } from "node:path";
import { DevicePrinter } from "../../drivers/printer/device-printer.js";
import { FilePrinter } from "../../drivers/printer/file-printer.js";
import type { PrinterStatus, ReceiptPrinter } from "../../drivers/printer/printer.js";
import { TcpPrinter } from "../../drivers/printer/tcp-printer.js";
import type { Config } from "../config/schema.js";
import type { PrintJob } from "../flow/effects.js";
import type { PrinterHealth } from "../flow/events.js";
import { paperColumns, receiptForJob } from "../receipts/receipt-for-job.js";
import { renderReceipt } from "../receipts/render-receipt.js";
import type { Part, PartContext } from "./part.js";

/** How often the printer's status is asked for (paper low/out, offline). */
const STATUS_MS = 5_000;

/**
 * Printing: lays out each slip the flow asks for, renders it to ESC/POS and hands the bytes to the
 * printer; answers with print.finished. Reports the printer's status to health every few seconds.
 */
export const printingPart: Part = {
  name: "printing",
  start(ctx) {
    const { bus, log, devices } = ctx;
    const printer = devices.printer;
    let conflicts = 0;
    bus.on("health.changed", (h) => {
      conflicts = h.conflicts;
    });
    bus.on("print.requested", async ({ id, job }) => {
      try {
        await printJob(ctx, printer, job.kind === "report" && conflicts > 0 ? { ...job, conflicts } : job);
        bus.emit("print.finished", { id, ok: true });
      } catch (err) {
        // The flow shows it on screen; the log keeps it for the technician.
        log.error({ err, job: job.kind }, "print failed");
        bus.emit("print.finished", {
          id,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    });
    const report = async () => {
      const printerHealth = printer ? healthOf(await printer.status()) : "offline";
      bus.emit("health.report", { printer: printerHealth });
    };
    const poll = () =>
      report().catch((err: unknown) => log.error({ err }, "printer status could not be read"));
    void poll();
    const timer = setInterval(poll, STATUS_MS);
    return {
      async stop() {
        clearInterval(timer);
        await printer?.close();
      },
    };
  },
};

async function printJob(ctx: PartContext, printer: ReceiptPrinter | null, job: PrintJob): Promise<void> {
  const { config } = ctx;
  if (!printer || config.printer.kind === "none")
    throw new Error("no printer configured (printer.kind is none)");
  const { blocks, label } = receiptForJob(job, ctx.ledger, {
    storeName: config.terminal.storeName,
    terminal: config.terminal.id,
    locale: config.locale,
    paperWidth: config.printer.paperWidth,
  });
  const { bytes, text } = renderReceipt(blocks, {
    width: paperColumns(config.printer.paperWidth),
    qr: config.printer.qr,
  });
  await printer.print(bytes, { text, label });
  ctx.log.info({ job: job.kind, label }, "printed");
}

/** The printer the config names (the composition root opens it; tests hand in a simulated one). */
export function openPrinter(config: Config): ReceiptPrinter | null {
  if (config.printer.kind === "none") return null;
  if (config.printer.kind === "device") return new DevicePrinter({ path: config.printer.path });
  if (config.printer.kind === "tcp")
    return new TcpPrinter({ host: config.printer.host, port: config.printer.port });
  return new FilePrinter({ dir: resolve(config.dataDir, config.printer.dir) });
}

function healthOf(status: PrinterStatus): PrinterHealth {
  if (!status.online) return "offline";
  if (status.paper === "out") return "paper_out";
  if (status.paper === "low") return "paper_low";
  return status.paper === "ok" ? "ok" : "unknown";
}
