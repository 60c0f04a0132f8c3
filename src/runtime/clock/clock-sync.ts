import { existsSync } from "node:fs";

/** Created by systemd-timesyncd once the clock has been set from NTP, removed when it is not. */
export const TIMESYNC_MARKER = "/run/systemd/timesync/synchronized";

/**
 * Whether the clock can be trusted right now: NTP has set it (the marker exists) and it is not
 * behind the latest trusted time. Only then may the terminal carry the current time forward as
 * trusted, so that after an offline reboot the clock is judged against a recent instant, not the
 * last redemption days ago. A clock that is merely "ahead" is never trusted on its own word.
 */
export function clockIsSynchronized(marker: string = TIMESYNC_MARKER): boolean {
  return existsSync(marker);
}

export interface TrustedTimeSink {
  /** The latest instant NTP or a signed time statement vouched for (not a list's date). */
  vouchedTime(): number;
  raiseTrustedTime(instant: number): void;
}

/** Carries a synchronised clock's time forward as trusted (and vouched for); returns whether it did. */
export function carryTrustedTime(store: TrustedTimeSink, now: number, synchronized: boolean): boolean {
  if (!synchronized || now <= store.vouchedTime()) return false;
  store.raiseTrustedTime(now);
  return true;
}
