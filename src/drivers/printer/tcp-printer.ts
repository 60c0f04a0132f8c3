import { Socket } from "node:net";
import { CheckedPrinter, type PrinterLink } from "./checked-printer.js";
import { DLE_EOT_PAPER, DLE_EOT_PRINTER, statusFromBytes } from "./escpos-status.js";
import { PrinterError, type PrinterStatus } from "./printer.js";

export interface TcpPrinterOptions {
  host: string;
  /** Raw printing port; 9100 on almost every network receipt printer. */
  port: number;
  /** Connect, status and write timeout. */
  timeoutMs?: number;
  /** Bytes per write; cheap printers garble data when their buffer overflows. */
  chunkBytes?: number;
}

/**
 * A network receipt printer (raw TCP, port 9100). Each job: connect, ask the real-time status
 * (refusing to print on paper out or offline, so the flow can say so), write in chunks honouring
 * back-pressure, and wait until the socket has flushed before reporting it printed. One job at a
 * time: many printers serve one connection at a time, so status checks wait between prints.
 */
export class TcpPrinter extends CheckedPrinter {
  private readonly timeoutMs: number;

  constructor(private readonly opts: TcpPrinterOptions) {
    super(opts.chunkBytes ?? 1024);
    this.timeoutMs = opts.timeoutMs ?? 3000;
  }

  protected async open(): Promise<PrinterLink> {
    const socket = await this.connect();
    return {
      status: () => this.query(socket),
      write: (chunk) => this.write(socket, chunk),
      // Ending waits until the socket has flushed; the printer closes its side when it is done.
      flush: () =>
        new Promise((resolve, reject) =>
          socket.end((err?: Error | null) =>
            err
              ? reject(
                  new PrinterError(`writing to printer ${this.where()} failed: ${err.message}`, offline()),
                )
              : resolve(),
          ),
        ),
      close: async () => {
        if (!socket.writableEnded) socket.destroy();
      },
    };
  }

  private connect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new PrinterError(`no answer from printer ${this.where()} within ${this.timeoutMs} ms`, offline()),
        );
      }, this.timeoutMs);
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(new PrinterError(`cannot reach printer ${this.where()}: ${err.message}`, offline()));
      });
      socket.connect(this.opts.port, this.opts.host, () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        socket.on("error", () => socket.destroy());
        resolve(socket);
      });
    });
  }

  /** DLE EOT 1 and 4, two status bytes back. */
  private query(socket: Socket): Promise<PrinterStatus> {
    return new Promise((resolve, reject) => {
      const got: number[] = [];
      const onData = (chunk: Buffer) => {
        got.push(...chunk);
        if (got.length >= 2) {
          done();
          resolve(statusFromBytes(got[0] as number, got[1] as number));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new PrinterError(`printer ${this.where()} did not answer the status request`, offline()));
      }, this.timeoutMs);
      const done = () => {
        clearTimeout(timer);
        socket.off("data", onData);
      };
      socket.on("data", onData);
      socket.write(Buffer.concat([DLE_EOT_PRINTER, DLE_EOT_PAPER]));
    });
  }

  private write(socket: Socket, chunk: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PrinterError(`printer ${this.where()} stopped taking data`, offline())),
        this.timeoutMs,
      );
      socket.write(chunk, (err) => {
        clearTimeout(timer);
        if (err)
          reject(new PrinterError(`writing to printer ${this.where()} failed: ${err.message}`, offline()));
        else resolve();
      });
    });
  }

  private where(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }
}

function offline(): PrinterStatus {
  return { online: false, paper: "unknown" };
}
