/**
 * Wall-clock facts about an instant in a store's IANA timezone: ISO weekday and minute of the day.
 * Windows ("Mon-Fri 11:00-14:00") are always evaluated here, never in the terminal's own zone.
 */
export interface ZonedMoment {
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  weekday: number;
  /** Minutes since local midnight, 0..1439. */
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const lastByZone = new Map<string, { minute: number; moment: ZonedMoment }>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function zonedMoment(epochMs: number, timeZone: string): ZonedMoment {
  // Every IANA offset in use is a whole number of minutes, so one answer serves a whole minute.
  const minute = Math.floor(epochMs / 60_000);
  const cached = lastByZone.get(timeZone);
  if (cached && cached.minute === minute) return cached.moment;
  const parts = formatterFor(timeZone).formatToParts(new Date(minute * 60_000));
  let weekday = 0;
  let hour = 0;
  let min = 0;
  for (const p of parts) {
    if (p.type === "weekday") weekday = WEEKDAYS[p.value] ?? 0;
    else if (p.type === "hour") hour = Number(p.value);
    else if (p.type === "minute") min = Number(p.value);
  }
  const moment = { weekday, minuteOfDay: hour * 60 + min };
  lastByZone.set(timeZone, { minute, moment });
  return moment;
}

/** "2026-11-22 18:30:05" in the given zone. */
export function formatLocalDateTime(epochMs: number, timeZone: string): string {
  const parts = dateTimeFormatter(timeZone).formatToParts(new Date(epochMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}:${get("second")}`;
}

/** "2026-11-22" in the given zone: the business day an instant belongs to. */
export function localDate(epochMs: number, timeZone: string): string {
  return formatLocalDateTime(epochMs, timeZone).slice(0, 10);
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const dateTimeFormatters = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = dateTimeFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    dateTimeFormatters.set(timeZone, f);
  }
  return f;
}

/** Parses "HH:MM-HH:MM" into minute-of-day bounds. */
export function parseHourWindow(window: string): { start: number; end: number } {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(window);
  if (!m) throw new RangeError(`"${window}" is not HH:MM-HH:MM`);
  return { start: Number(m[1]) * 60 + Number(m[2]), end: Number(m[3]) * 60 + Number(m[4]) };
}

/**
 * Whether the moment falls inside the weekday/hour rules. A window that wraps midnight
 * ("22:00-02:00") belongs to the weekday it starts on: Friday 22:00-02:00 covers Saturday 01:00.
 */
export function withinWindows(
  m: ZonedMoment,
  weekdays: readonly number[] | undefined,
  hours: readonly string[] | undefined,
): boolean {
  if (!hours) return !weekdays || weekdays.includes(m.weekday);
  const previousDay = m.weekday === 1 ? 7 : m.weekday - 1;
  for (const h of hours) {
    const { start, end } = parseHourWindow(h);
    if (start < end) {
      if (m.minuteOfDay >= start && m.minuteOfDay < end && (!weekdays || weekdays.includes(m.weekday)))
        return true;
    } else {
      if (m.minuteOfDay >= start && (!weekdays || weekdays.includes(m.weekday))) return true;
      if (m.minuteOfDay < end && (!weekdays || weekdays.includes(previousDay))) return true;
    }
  }
  return false;
}
