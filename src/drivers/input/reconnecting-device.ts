import type { Logger } from "../../runtime/log.js";
import { Backoff } from "../backoff.js";

/** How one kind of input device is opened, listened to and closed. */
export interface DeviceLink<D> {
  /** Opens the device; rejects when it is absent or busy (then it is tried again later). */
  open(): Promise<D>;
  /** Listens to an opened device; `lost` is called when it goes away (unplugged, read error). */
  attach(device: D, lost: (why: string) => void): void;
  close(device: D): void;
  /** Forgets what was half read from a device that went away (a partial scan). */
  reset?(): void;
}

export interface ReconnectOptions {
  /** "HID device", "scanner": for the log lines. */
  name: string;
  /** Logged with every line (path, role). */
  fields: Record<string, unknown>;
  log: Logger;
  retryMs?: { first: number; max: number };
  onState?: (state: "connected" | "disconnected") => void;
}

/**
 * An input device kept open: opened at start, reopened with back-off, forever, after an unplug or a
 * failed open, so a device plugged back in works again without a restart; closed at stop. The
 * HID keypad/scanner and the serial scanner share it and differ only in their `DeviceLink`.
 */
export class ReconnectingDevice<D> {
  private device: D | null = null;
  private stopped = true;
  private readonly backoff: Backoff;

  constructor(
    private readonly link: DeviceLink<D>,
    private readonly opts: ReconnectOptions,
  ) {
    this.backoff = new Backoff(() => void this.connect(), opts.retryMs);
  }

  start(): void {
    this.stopped = false;
    this.backoff.start();
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.backoff.stop();
    const device = this.device;
    this.device = null;
    if (device) this.link.close(device);
  }

  private async connect(): Promise<void> {
    const { log, fields, name } = this.opts;
    let device: D;
    try {
      device = await this.link.open();
    } catch (err) {
      log.warn(
        {
          ...fields,
          err: err instanceof Error ? err.message : String(err),
          retryMs: this.backoff.nextDelayMs,
        },
        `cannot open the ${name}; retrying`,
      );
      this.backoff.schedule();
      return;
    }
    if (this.stopped) {
      this.link.close(device);
      return;
    }
    this.device = device;
    this.backoff.succeeded();
    this.link.attach(device, (why) => this.lost(device, why));
    log.info(fields, `${name} connected`);
    this.opts.onState?.("connected");
  }

  private lost(device: D, why: string): void {
    if (this.stopped || this.device !== device) return;
    this.opts.log.warn({ ...this.opts.fields, why }, `${this.opts.name} lost (unplugged?); reopening`);
    this.device = null;
    this.link.close(device);
    this.link.reset?.();
    this.opts.onState?.("disconnected");
    this.backoff.schedule();
  }
}
