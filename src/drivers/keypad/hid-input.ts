import type { Logger } from "../../runtime/log.js";
import type { InputEvent, InputSource } from "../input/input-source.js";
import { ReconnectingDevice } from "../input/reconnecting-device.js";
import { cleanScanLine } from "../scanner/scan-line.js";
import { keypadKeyFor, newlyPressed, usageToChar } from "./hid-usages.js";

const ESCAPE_USAGE = 0x29;
/** Left/right Ctrl, Alt and GUI in the modifier byte (Shift, 0x02 and 0x20, is a capital letter). */
const CONTROL_MODIFIERS = 0xdd;

/** The part of node-hid's device this driver uses: one 8-byte report per 'data' event. */
export interface HidDevice {
  on(event: "data", listener: (report: Buffer) => void): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
  close(): void;
}

export type HidOpener = (path: string) => Promise<HidDevice>;

export interface HidInputOptions {
  /** hidraw device path, e.g. /dev/hidraw0 (better: a udev symlink such as /dev/quan-keypad). */
  path: string;
  /** keypad: keys become key events; scanner: characters up to Enter become one scan. */
  role: "keypad" | "scanner";
  log: Logger;
  retryMs?: { first: number; max: number };
  onState?: (state: "connected" | "disconnected") => void;
  /** How the device is opened; node-hid (hidraw) unless a test gives another. */
  open?: HidOpener;
}

/**
 * A USB keypad or barcode scanner read as a HID keyboard through node-hid's hidraw driver. node-hid
 * has no hotplug: an unplug surfaces as a read error, after which the device is closed and
 * reopened with back-off. node-hid is imported only when such a device is configured.
 */
export class HidInput implements InputSource {
  private previous = new Uint8Array(8);
  private scan = "";
  private badScan = false;
  private onInput: ((e: InputEvent) => void) | null = null;
  private readonly connection: ReconnectingDevice<HidDevice>;

  constructor(private readonly opts: HidInputOptions) {
    const open = opts.open ?? openHidraw;
    this.connection = new ReconnectingDevice<HidDevice>(
      {
        open: async () => {
          const device = await open(opts.path);
          this.previous = new Uint8Array(8);
          return device;
        },
        attach: (device, lost) => {
          device.on("data", (report) => this.report(report));
          device.on("error", (err) => lost(err.message));
        },
        close: (device) => device.close(),
        reset: () => {
          this.scan = "";
          this.badScan = false;
        },
      },
      {
        name: "HID device",
        fields: { path: opts.path, role: opts.role },
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
  }

  private report(report: Buffer): void {
    if (report.length < 8) return;
    const modifiers = report[0] as number;
    for (const usage of newlyPressed(this.previous, report)) this.pressed(usage, modifiers);
    this.previous = Uint8Array.from(report.subarray(0, 8));
  }

  private pressed(usage: number, modifiers: number): void {
    if (this.opts.role === "keypad") {
      const key = keypadKeyFor(usage);
      if (key) this.onInput?.({ type: "key", key });
      return;
    }
    if (usage === 0x28 || usage === 0x58) {
      const text = cleanScanLine(this.scan);
      if (this.badScan) {
        this.opts.log.warn(
          { scan: JSON.stringify(this.scan.slice(0, 80)) },
          "scan with control keys refused",
        );
      } else if (text !== null) this.onInput?.({ type: "scan", text });
      this.scan = "";
      this.badScan = false;
      return;
    }
    // Escape or a Ctrl/Alt/GUI chord inside a scan is a control byte in the code: the scan is refused whole.
    if (usage === ESCAPE_USAGE || (modifiers & CONTROL_MODIFIERS) !== 0) {
      this.badScan = true;
      return;
    }
    const ch = usageToChar(usage, modifiers);
    if (ch !== null && this.scan.length < 256) this.scan += ch;
  }
}

async function openHidraw(path: string): Promise<HidDevice> {
  const hid = await import("node-hid");
  hid.setDriverType("hidraw");
  return new hid.HID(path);
}
