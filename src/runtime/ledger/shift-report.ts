import type { ShiftReport, ShiftReportRow } from "../receipts/model.js";
import type { RedeemEntry, VoidEntry } from "./records.js";

/**
 * X/Z report figures from the journal entries of a period. Rows count redemptions per campaign as
 * they happened; voids in the period are listed once and taken off the totals, so the totals are
 * what the shop really gave. `original` finds a voided redemption even when it is older than the
 * period (voided the next morning).
 */
export function buildShiftReport(
  kind: "X" | "Z",
  period: { from: number; to: number },
  terminal: string,
  entries: readonly (RedeemEntry | VoidEntry)[],
  original: (id: string) => RedeemEntry | undefined,
): ShiftReport {
  const rows = new Map<string, ShiftReportRow>();
  const totals = { count: 0, amount: 0, discount: 0, payable: 0 };
  const voids = { count: 0, discount: 0 };
  for (const e of entries) {
    if (e.type === "redeem") {
      totals.count++;
      totals.amount += e.amount;
      totals.discount += e.discount;
      totals.payable += e.payable;
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
    voids.count++;
    voids.discount += voided.discount;
    totals.count--;
    totals.amount -= voided.amount;
    totals.discount -= voided.discount;
    totals.payable -= voided.payable;
  }
  return {
    kind,
    from: new Date(period.from).toISOString(),
    to: new Date(period.to).toISOString(),
    terminal,
    rows: [...rows.values()].sort((a, b) => b.count - a.count || a.campaign.localeCompare(b.campaign)),
    voids,
    totals,
  };
}
