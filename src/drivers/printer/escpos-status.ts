import { PrinterError, type PrinterStatus } from "./printer.js";

/**
 * ESC/POS real-time status (DLE EOT n). Each answer is one byte whose fixed bits (0x12) tell it
 * apart from other data. n=1: printer status (bit 3 offline); n=4: roll paper sensor
 * (bits 2-3 paper near end, bits 5-6 paper end).
 */
export const DLE_EOT_PRINTER = Uint8Array.of(0x10, 0x04, 0x01);
export const DLE_EOT_PAPER = Uint8Array.of(0x10, 0x04, 0x04);

export function isStatusByte(b: number): boolean {
  return (b & 0x93) === 0x12;
}

export function statusFromBytes(printer: number, paper: number): PrinterStatus {
  if (!isStatusByte(printer) || !isStatusByte(paper)) {
    return {
      online: false,
      paper: "unknown",
      detail: "the printer answered the status request with something else",
    };
  }
  const offline = (printer & 0x08) !== 0;
  const paperState = (paper & 0x60) !== 0 ? "out" : (paper & 0x0c) !== 0 ? "low" : "ok";
  return offline
    ? { online: false, paper: paperState, detail: "printer offline (cover open or paper out)" }
    : { online: true, paper: paperState };
}

/** Printing into an empty paper roll or an offline printer loses the receipt silently: refuse. */
export function refuseUnlessReady(status: PrinterStatus): void {
  if (status.online && status.paper !== "out") return;
  throw new PrinterError(
    status.paper === "out" ? "printer is out of paper" : (status.detail ?? "printer offline"),
    status,
  );
}

/** A status request that fails (unplugged, unreachable, silent) is itself the status: offline, and why. */
export async function statusOrOffline(ask: () => Promise<PrinterStatus>): Promise<PrinterStatus> {
  try {
    return await ask();
  } catch (err) {
    return { online: false, paper: "unknown", detail: (err as Error).message };
  }
}
