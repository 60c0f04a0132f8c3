import type { RedeemEntry, VoidEntry } from "../../protocol/journal/index.js";

export interface ShiftReportRow {
  /** Campaign id. */
  campaign: string;
  count: number;
  discount: number;
  /** Bills (before discount) of the redemptions that used this campaign. */
  amount: number;
}

/** Count and sums of a set of redemptions, minor units. */
export interface ReportFigures {
  count: number;
  amount: number;
  discount: number;
  payable: number;
}

/**
 * X = shift report (the till stays open), Z = end of day. Built from the journal by `buildShiftReport`.
 * `redeemed` - `voids` = `totals`: what was redeemed in the period, what voids in the period gave
 * back, and what the shop really gave.
 */
export interface ShiftReport {
  kind: "X" | "Z";
  /** The Z's number (a Z only). */
  no?: number;
  /** ISO instants bounding the period. */
  from: string;
  to: string;
  terminal: string;
  rows: ShiftReportRow[];
  redeemed: ReportFigures;
  /** The redemptions voided in the period (some may have been redeemed before it). */
  voids: ReportFigures;
  totals: ReportFigures;
}

/**
 * X/Z report figures from the journal entries of a period. Rows and `redeemed` count redemptions
 * as they happened; `voids` sums the redemptions voided in the period (what was given back), and
 * `totals` = `redeemed` - `voids` is what the shop really gave. `original` finds a voided
 * redemption even when it is older than the period (voided the next morning).
 */
export function buildShiftReport(
  kind: "X" | "Z",
  period: { from: number; to: number; no?: number },
  terminal: string,
  entries: readonly (RedeemEntry | VoidEntry)[],
  original: (id: string) => RedeemEntry | undefined,
): ShiftReport {
  const rows = new Map<string, ShiftReportRow>();
  const redeemed = noFigures();
  const voids = noFigures();
  for (const e of entries) {
    if (e.type === "redeem") {
      add(redeemed, e);
      for (const line of e.lines) {
        const row = rows.get(line.campaign) ?? { campaign: line.campaign, count: 0, discount: 0, amount: 0 };
        row.count++;
        row.discount += line.discount;
        row.amount += e.amount;
        rows.set(line.campaign, row);
      }
      continue;
    }
    const voided = original(e.target);
    if (!voided) throw new Error(`void ${e.id} targets ${e.target}, which is not in the journal`);
    add(voids, voided);
  }
  const totals: ReportFigures = {
    count: redeemed.count - voids.count,
    amount: redeemed.amount - voids.amount,
    discount: redeemed.discount - voids.discount,
    payable: redeemed.payable - voids.payable,
  };
  return {
    kind,
    ...(kind === "Z" && period.no !== undefined ? { no: period.no } : {}),
    from: new Date(period.from).toISOString(),
    to: new Date(period.to).toISOString(),
    terminal,
    rows: [...rows.values()].sort((a, b) => b.count - a.count || a.campaign.localeCompare(b.campaign)),
    redeemed,
    voids,
    totals,
  };
}

function noFigures(): ReportFigures {
  return { count: 0, amount: 0, discount: 0, payable: 0 };
}

function add(figures: ReportFigures, e: RedeemEntry): void {
  figures.count++;
  figures.amount += e.amount;
  figures.discount += e.discount;
  figures.payable += e.payable;
}
