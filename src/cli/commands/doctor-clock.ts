import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { clockIsSynchronized } from "../../runtime/clock/clock-sync.js";
import type { Config } from "../../runtime/config/schema.js";

export interface ClockFinding {
  level: "ok" | "warn" | "fail";
  what: "clock";
  detail: string;
}

const SOURCES: Record<string, string> = {
  ntp: "NTP-synchronised clock",
  list: "coupon list",
  statement: "signed time statement",
};

const FIX =
  "on the server `quan time sign --key merchant.key --merchant ID --out time.json`, here `quan time import time.json`";

/**
 * The clock as the store judges it: the clock, the trusted time from state.json and who vouched
 * for it, and what follows for time-limited coupons. Read-only.
 */
export function checkClock(config: Config, now: number, synchronized = clockIsSynchronized()): ClockFinding {
  const stateFile = join(config.dataDir, "state.json");
  let trusted = 0;
  let source: string | undefined;
  if (existsSync(stateFile)) {
    try {
      const state = JSON.parse(readFileSync(stateFile, "utf8")) as {
        trustedTime?: unknown;
        trustedSource?: unknown;
      };
      if (typeof state.trustedTime === "number") trusted = state.trustedTime;
      if (typeof state.trustedSource === "string") source = state.trustedSource;
    } catch (err) {
      return { level: "fail", what: "clock", detail: `${stateFile}: ${(err as Error).message}` };
    }
  }
  const clock = new Date(now).toISOString();
  const ntp = synchronized ? "NTP synchronised" : "not NTP synchronised";
  if (!trusted) return { level: "ok", what: "clock", detail: `${clock} (${ntp}), no trusted time yet` };
  const trustedText = `trusted time ${new Date(trusted).toISOString()} (${source ? (SOURCES[source] ?? source) : "source not recorded: written by an older version"})`;
  const lag = trusted - now;
  const minutes = Math.round(lag / 60_000);
  if (synchronized && lag > config.clock.toleranceSeconds * 1000)
    return {
      level: "warn",
      what: "clock",
      detail: `${trustedText} is ${minutes} min ahead of the clock ${clock} (${ntp}): the synchronised clock is the authority and is used; should NTP be lost, the trusted time would count again. Fix: ${FIX}`,
    };
  if (lag > config.clock.maxAheadHours * 3_600_000)
    return {
      level: "fail",
      what: "clock",
      detail: `${trustedText} is ${minutes} min ahead of the clock ${clock} (${ntp}), more than clock.maxAheadHours (${config.clock.maxAheadHours} h): one of them is wrong. Time-limited coupons are refused (clock_unverified) and redemptions are recorded at the clock. Fix: make sure the clock is right, then ${FIX}`,
    };
  if (lag > config.clock.toleranceSeconds * 1000)
    return {
      level: "warn",
      what: "clock",
      detail: `${minutes} min behind the latest trusted time: ${clock} (${ntp}), ${trustedText}; time-limited coupons are refused and redemptions recorded at the trusted time until NTP sets the clock (\`timedatectl set-ntp true\`, a network with NTP) or ${FIX}`,
    };
  return { level: "ok", what: "clock", detail: `${clock} (${ntp}), ${trustedText}` };
}
