import { rmSync, symlinkSync } from "node:fs";
import { type IPty, spawn } from "@lydell/node-pty";

const READY = "pty-device-ready";

/**
 * A device at the edge of the machine (a serial scanner, a printer's device file) simulated by a
 * pseudo-terminal from node-pty, no system package needed. The driver under test opens `path`, a
 * symlink to the pty's slave as udev would give, like /dev/ttyACM0 or /dev/usb/lp0; the test is the
 * device on the master side: it sees every byte the driver writes and sends bytes back.
 * Unplugging closes the master, so the driver's open file hangs up as on a pulled cable.
 */
export class PtyDevice {
  private readonly listeners: ((bytes: Buffer) => void)[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    readonly path: string,
    private readonly term: IPty,
  ) {
    this.exited = new Promise((resolve) => term.onExit(() => resolve()));
  }

  /** A new device appears at `path` in raw mode (no echo, no line editing, bytes as they are). */
  static async plugIn(path: string, timeoutMs = 5000): Promise<PtyDevice> {
    // The child only holds the pty open; `stty` sets the line discipline the driver will find.
    const term = spawn("/bin/sh", ["-c", `stty raw -echo && printf ${READY} && exec sleep 3600`], {
      encoding: null,
      cols: 80,
      rows: 24,
    });
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => {
        ready.dispose();
        term.kill("SIGKILL");
        reject(new Error(`the pseudo-terminal for ${path} did not come up (saw ${JSON.stringify(seen)})`));
      }, timeoutMs);
      const ready = term.onData((data) => {
        seen += asBuffer(data).toString("latin1");
        if (!seen.includes(READY)) return;
        clearTimeout(timer);
        ready.dispose();
        resolve();
      });
    });
    const device = new PtyDevice(path, term);
    term.onData((data) => {
      for (const listener of device.listeners) listener(asBuffer(data));
    });
    rmSync(path, { force: true });
    // The slave's name is not in node-pty's typing but is on every Unix terminal it makes.
    symlinkSync((term as unknown as { ptsName: string }).ptsName, path);
    return device;
  }

  /** Every byte the driver writes to the device, as it arrives. */
  onData(listener: (bytes: Buffer) => void): void {
    this.listeners.push(listener);
  }

  /** Bytes the device sends to the driver (a scan, a status answer). */
  send(bytes: Uint8Array | string): void {
    // node-pty's typing says string; its socket takes bytes as they are.
    this.term.write((typeof bytes === "string" ? Buffer.from(bytes, "latin1") : Buffer.from(bytes)) as never);
  }

  /** The cable is pulled: the path disappears and the driver's open file hangs up. */
  async unplug(): Promise<void> {
    rmSync(this.path, { force: true });
    this.listeners.length = 0;
    // destroy() (untyped, on every Unix terminal node-pty makes) closes the master, then hangs up the child.
    (this.term as unknown as { destroy(): void }).destroy();
    await this.exited;
  }
}

/** With `encoding: null` node-pty hands over Buffers, though its typing says string. */
function asBuffer(data: unknown): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(String(data), "latin1");
}
