import { carryTrustedTime } from "../clock/clock-sync.js";
import type { Part } from "./part.js";

/** How often a synchronised clock's time is saved as trusted (a durable write each time). */
const TRUST_MS = 10 * 60_000;

/** Clock trust: while NTP vouches for the clock, its time is carried forward as trusted now and then. */
export const clockTrustPart: Part = {
  name: "clock-trust",
  start({ ledger, devices, now, log }) {
    const timer = setInterval(() => {
      if (carryTrustedTime(ledger, now(), devices.clockSynchronized()))
        log.debug("trusted time carried forward");
    }, TRUST_MS);
    return { stop: () => clearInterval(timer) };
  },
};
