import { Socket } from "node:net";
import {
  DLE_EOT_PAPER,
  DLE_EOT_PRINTER,
  refuseUnlessReady,
  statusFromBytes,
  statusOrOffline,
} from "./escpos-status.js";
import { PrinterError, type PrinterStatus, type PrintJobInfo, type ReceiptPrinter } from "./printer.js";
import { PrinterJobs } from "./printer-jobs.js";

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
export class TcpPrinter implements ReceiptPrinter {
  private readonly timeoutMs: number;
  private readonly chunkBytes: number;
  private readonly jobs = new PrinterJobs();

  constructor(private readonly opts: TcpPrinterOptions) {
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.chunkBytes = opts.chunkBytes ?? 1024;
  }

  print(bytes: Uint8Array, _info?: PrintJobInfo): Promise<void> {
    return this.jobs.run(async () => {
      const socket = await this.connect();
      try {
        const status = await this.query(socket);
        refuseUnlessReady(status);
        for (let i = 0; i < bytes.length; i += this.chunkBytes) {
          await this.write(socket, bytes.subarray(i, i + this.chunkBytes));
        }
      } finally {
        await new Promise<void>((resolve) => socket.end(resolve));
      }
    });
  }

  status(): Promise<PrinterStatus> {
    return this.jobs.status(() =>
      statusOrOffline(async () => {
        const socket = await this.connect();
        try {
          return await this.query(socket);
        } finally {
          socket.destroy();
        }
      }),
    );
  }

  /** Waits for the jobs already asked for, so a receipt in progress is not cut off. */
  close(): Promise<void> {
    return this.jobs.idle();
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
