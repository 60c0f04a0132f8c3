import { execFile } from "node:child_process";
import type { Logger } from "../log.js";

/**
 * sd_notify for `Type=notify` with `WatchdogSec=`: Node's dgram has no unix sockets, so the
 * messages go through systemd's own `systemd-notify` (the unit sets `NotifyAccess=all`). Does
 * nothing outside systemd (no NOTIFY_SOCKET).
 */
export class SystemdNotifier {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    private readonly command = "systemd-notify",
  ) {}

  get active(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  ready(): void {
    this.send("--ready", "STATUS=redeeming");
  }

  /**
   * Pets the watchdog at half its period, but only while `healthy()` says the terminal can really
   * do its job; a terminal that cannot commit is restarted by systemd rather than kept alive.
   */
  startWatchdog(healthy: () => boolean): void {
    const usec = Number(this.env.WATCHDOG_USEC);
    if (!this.active || !Number.isFinite(usec) || usec <= 0) return;
    this.timer = setInterval(() => {
      if (healthy()) this.send("WATCHDOG=1");
      else this.log.error("not healthy: withholding the watchdog ping so systemd restarts the terminal");
    }, usec / 2000);
  }

  stopping(): void {
    if (this.timer) clearInterval(this.timer);
    this.send("STOPPING=1");
  }

  private send(...args: string[]): void {
    if (!this.active) return;
    execFile(this.command, args, { env: this.env }, (err) => {
      if (err) this.log.warn({ err: err.message, args }, "systemd-notify failed");
    });
  }
}
