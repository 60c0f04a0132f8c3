/** The receipt-printer device kind: an ESC/POS byte sink with a status. */

export interface PrinterStatus {
  online: boolean;
  paper: "ok" | "low" | "out" | "unknown";
  /** Why it is offline or what the device said, for the operator. */
  detail?: string;
}

/** What a job carries besides its bytes, for the file printer; devices that only take bytes ignore it. */
export interface PrintJobInfo {
  /** The same receipt as readable text, written beside the bytes. */
  text?: string;
  /** A short tag for the job, e.g. "redeem" or "void"; letters, digits, "-" and "_" only. */
  label?: string;
}

export interface ReceiptPrinter {
  /** Resolves when the bytes are handed to the device; rejects with a PrinterError when it cannot print. */
  print(bytes: Uint8Array, info?: PrintJobInfo): Promise<void>;
  status(): Promise<PrinterStatus>;
  close(): Promise<void>;
}

export class PrinterError extends Error {
  override name = "PrinterError";
  constructor(
    message: string,
    readonly status: PrinterStatus,
  ) {
    super(message);
  }
}
