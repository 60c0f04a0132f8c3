import type { JournalEntry, RedeemEntry } from "../../protocol/journal/index.js";
import { formatMajor } from "../money.js";
import { formatLocalDateTime } from "../time/zoned.js";

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
  /** `open <id>` or `resolved <id>` when the merchant flagged the redemption's code as used beyond its uses. */
  "conflict",
] as const;

/**
 * The month-end reconciliation file (UTF-8, CRLF; prefix UTF8_BOM for Excel and WPS): one row per
 * coupon of each redemption; a void repeats the rows
 * it cancels with negated amounts, so every money column sums to what was really given. `bill` and
 * `payable` belong to the redemption and appear on its line 1 only, so they sum correctly too.
 */
export function journalToCsv(
  entries: readonly JournalEntry[],
  timeZone: string,
  include: (e: JournalEntry) => boolean = () => true,
): string {
  const byId = new Map<string, RedeemEntry>();
  let csv = csvHeader();
  for (const e of entries) {
    if (e.type === "redeem") byId.set(e.id, e);
    if (include(e)) csv += csvRows(e, e.type === "void" ? byId.get(e.target) : e, timeZone);
  }
  return csv;
}

/** The header line (CRLF-terminated). */
export const csvHeader = () => `${CSV_COLUMNS.join(",")}\r\n`;

/**
 * The lines (CRLF-terminated) of one redemption, or of one void given the redemption it cancels,
 * so an export can stream the journal without holding it.
 */
export function csvRows(
  e: JournalEntry,
  original: RedeemEntry | undefined,
  timeZone: string,
  conflictOf: (redemptionId: string) => string = () => "",
): string {
  let rows: string[][];
  if (e.type === "redeem") rows = rowsFor(e, e, "", 1, timeZone, conflictOf(e.id));
  else {
    if (!original) throw new Error(`void ${e.id} targets ${e.target}, which is not earlier in the journal`);
    rows = rowsFor(original, e, e.id, -1, timeZone, conflictOf(original.id));
  }
  return rows.map((r) => `${r.map(csvCell).join(",")}\r\n`).join("");
}

function rowsFor(
  r: RedeemEntry,
  event: JournalEntry,
  voidId: string,
  sign: 1 | -1,
  timeZone: string,
  conflict: string,
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
    conflict,
  ]);
}

/** Excel and WPS read a UTF-8 file as the system code page (GBK in China) unless it starts with this. */
export const UTF8_BOM = "\uFEFF";

const MONEY_COLUMNS = new Set<number>(
  (["bill", "line_discount", "payable"] as const).map((c) => CSV_COLUMNS.indexOf(c)),
);
const MONEY = /^(-?\d+\.\d+)?$/;

function csvCell(value: string, column: number): string {
  if (MONEY_COLUMNS.has(column)) {
    // Written by formatMajor: always a plain number (negative for voids), which a spreadsheet sums.
    if (!MONEY.test(value)) throw new Error(`money column ${CSV_COLUMNS[column]} got "${value}"`);
    return value;
  }
  return quoted(neutralised(value));
}

/** Control characters (ESC sequences, bells, line breaks) as visible escapes, never raw bytes. */
const CONTROL = /\p{Cc}/gu;
/** What a spreadsheet skips before it decides a cell is a formula: blanks and invisible characters. */
const LEADING_INVISIBLE = /^[\s\p{Cf}\p{Z}]*/u;
/** = + - @ (and their full-width forms) start a formula. */
const FORMULA_START = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * A text cell a spreadsheet shows as text (CSV injection): a leading apostrophe when the value, past
 * any blanks or invisible characters, starts like a formula. Text cells are never numbers here.
 */
function neutralised(value: string): string {
  const visible = value.replace(
    CONTROL,
    (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
  const start = visible.slice((LEADING_INVISIBLE.exec(visible)?.[0] ?? "").length);
  return FORMULA_START.test(start) ? `'${visible}` : visible;
}

function quoted(value: string): string {
  return /[",]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
