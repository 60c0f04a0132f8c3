import { zonedMoment } from "../time/zoned.js";

/**
 * The instant the store's local day containing `now` began (local midnight in `timezone`).
 * Offsets in use are whole minutes, so stepping back by the minute of the day is exact except on a
 * day whose midnight falls in a DST change, where it is off by the change (an hour at most).
 */
export function startOfLocalDay(now: number, timezone: string): number {
  const minuteStart = Math.floor(now / 60_000) * 60_000;
  return minuteStart - zonedMoment(now, timezone).minuteOfDay * 60_000;
}
