import type { SerialPort } from "serialport";
import type { Logger } from "../../runtime/log.js";
import type { InputEvent, InputSource } from "../input/input-source.js";
import { ReconnectingDevice } from "../input/reconnecting-device.js";
import { cleanScanLine, hasControlBytes, LineSplitter } from "./scan-line.js";

export interface SerialScannerOptions {
  /** Prefer /dev/serial/by-id/...: /dev/ttyUSB0 and /dev/ttyACM0 change between boots. */
  path: string;
  baudRate: number;
  log: Logger;
  /** Back-off between reopen attempts after an unplug or a failed open. */
  retryMs?: { first: number; max: number };
  /** Told whenever the scanner comes or goes, for the health line. */
  onState?: (state: "connected" | "disconnected") => void;
}

/** How long a lone CR waits for its LF before it ends the scan by itself. */
const CR_GRACE_MS = 50;

/**
 * A scanner on a serial line (RS-232 at 9600 8N1, or USB-CDC /dev/ttyACM0). serialport has no
 * reconnect of its own: an unplug closes the port, and we reopen it with back-off, forever, so a
 * scanner plugged back in works again without a restart. serialport is imported only when a
 * serial scanner is configured.
 */
export class SerialScanner implements InputSource {
  private onInput: ((e: InputEvent) => void) | null = null;
  private readonly splitter = new LineSplitter();
  private crTimer: NodeJS.Timeout | null = null;
  private readonly connection: ReconnectingDevice<SerialPort>;

  constructor(private readonly opts: SerialScannerOptions) {
    this.connection = new ReconnectingDevice<SerialPort>(
      {
        open: () => this.open(),
        attach: (port, lost) => {
          port.on("close", () => lost("closed"));
        },
        close: (port) => {
          if (port.isOpen)
            port.close((err) => err && this.opts.log.warn({ err }, "closing the scanner port failed"));
        },
      },
      {
        name: "scanner",
        fields: { path: opts.path },
        log: opts.log,
        ...(opts.retryMs ? { retryMs: opts.retryMs } : {}),
        ...(opts.onState ? { onState: opts.onState } : {}),
      },
    );
  }

  start(onInput: (event: InputEvent) => void): void {
    this.onInput = onInput;
    this.connection.start();
  }

  stop(): void {
    this.connection.stop();
    if (this.crTimer) clearTimeout(this.crTimer);
  }

  /** Opens the port at 8N1; rejects when it cannot (absent, busy). */
  private async open(): Promise<SerialPort> {
    const { SerialPort } = await import("serialport");
    const port = new SerialPort({
      path: this.opts.path,
      baudRate: this.opts.baudRate,
      dataBits: 8,
      parity: "none",
      stopBits: 1,
      autoOpen: false,
    });
    port.on("data", (chunk: Buffer) => this.feed(chunk.toString("latin1")));
    port.on("error", (err) => this.opts.log.warn({ err, path: this.opts.path }, "scanner port error"));
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return port;
  }

  private feed(chunk: string): void {
    if (this.crTimer) clearTimeout(this.crTimer);
    for (const line of this.splitter.push(chunk)) this.emit(line);
    this.crTimer = setTimeout(() => {
      for (const line of this.splitter.flush()) this.emit(line);
    }, CR_GRACE_MS);
  }

  private emit(line: string): void {
    const text = cleanScanLine(line);
    if (text === null) return;
    if (hasControlBytes(text)) {
      // Scanned text is untrusted: quoted and cut so the bytes cannot reach a terminal raw.
      this.opts.log.warn({ scan: JSON.stringify(text.slice(0, 80)) }, "scan with control bytes refused");
      return;
    }
    this.onInput?.({ type: "scan", text });
  }
}
