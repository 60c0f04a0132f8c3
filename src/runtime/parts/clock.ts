import type { Part } from "./part.js";

/** The beat: timeouts and the clock on screen are driven by it, and the watchdog checks it arrives. */
export const TICK_MS = 250;

/** The clock: a tick on the bus four times a second, carrying the time it was read. */
export const clockPart: Part = {
  name: "clock",
  start({ bus, now }) {
    const timer = setInterval(() => bus.emit("tick", { now: now() }), TICK_MS);
    return { stop: () => clearInterval(timer) };
  },
};
