import { SystemdNotifier } from "../service/systemd-notify.js";
import { TICK_MS } from "./clock.js";
import type { Part } from "./part.js";

/**
 * systemd: says ready, and pets the watchdog only while the terminal could do its job: ticks
 * arrive (the event loop runs) and a redemption could be committed right now.
 */
export const watchdogPart: Part = {
  name: "watchdog",
  start({ bus, ledger, devices, log }) {
    // Measured on the process's monotonic-enough wall clock, not the terminal's `now` (tests move that).
    let lastTickAt = Date.now();
    bus.on("tick", () => {
      lastTickAt = Date.now();
    });
    const notifier = new SystemdNotifier(devices.env, log);
    notifier.ready();
    notifier.startWatchdog(() => Date.now() - lastTickAt < 10 * TICK_MS && ledger.canCommit());
    return { stop: () => notifier.stopping() };
  },
};
