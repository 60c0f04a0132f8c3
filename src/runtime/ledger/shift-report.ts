import type { RedeemEntry, VoidEntry } from "../../protocol/journal/index.js";
import type { ReportFigures, ShiftReport, ShiftReportRow } from "../receipts/model.js";

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
