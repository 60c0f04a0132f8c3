import { formatMajor } from "../money.js";
import { formatLocalDateTime } from "../time/zoned.js";
import type { JournalEntry, RedeemEntry } from "./records.js";

export const CSV_COLUMNS = [
  "type",
  "redemption_id",
  "void_id",
  "local_time",
  "utc_time",
  "terminal",
  "store",
  "cashier",
  "line",
  "code",
  "campaign",
  "gift",
  "currency",
  "bill",
  "line_discount",
  "payable",
] as const;

/**
 * The month-end reconciliation file: one row per coupon of each redemption; a void repeats the rows
 * it cancels with negated amounts, so every money column sums to what was really given. `bill` and
 * `payable` belong to the redemption and appear on its line 1 only, so they sum correctly too.
 */
export function journalToCsv(
  entries: readonly JournalEntry[],
  timeZone: string,
  include: (e: JournalEntry) => boolean = () => true,
): string {
  const byId = new Map<string, RedeemEntry>();
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const e of entries) {
    if (e.type === "redeem") {
      byId.set(e.id, e);
      if (include(e)) rows.push(...rowsFor(e, e, "", 1, timeZone));
    } else {
      const original = byId.get(e.target);
      if (!original) throw new Error(`void ${e.id} targets ${e.target}, which is not earlier in the journal`);
      if (include(e)) rows.push(...rowsFor(original, e, e.id, -1, timeZone));
    }
  }
  return `${rows.map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
}

function rowsFor(
  r: RedeemEntry,
  event: JournalEntry,
  voidId: string,
  sign: 1 | -1,
  timeZone: string,
): string[][] {
  const at = Date.parse(event.at);
  return r.lines.map((line, i) => [
    sign === 1 ? "redeem" : "void",
    r.id,
    voidId,
    formatLocalDateTime(at, timeZone),
    event.at,
    event.terminal,
    r.store,
    event.cashier,
    String(i + 1),
    line.code,
    line.campaign,
    line.gift ?? "",
    r.currency,
    i === 0 ? formatMajor(sign * r.amount) : "",
    formatMajor(sign * line.discount),
    i === 0 ? formatMajor(sign * r.payable) : "",
  ]);
}

function csvField(value: string): string {
  // A leading = + @ would run as a formula in a spreadsheet (CSV injection); negative amounts are numbers.
  const safe =
    /^[=+@\t\r]/.test(value) || (/^-/.test(value) && !/^-\d+(\.\d+)?$/.test(value)) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
