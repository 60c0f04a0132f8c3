import type { ShiftReport } from "../ledger/shift-report.js";
import { formatMoney } from "../money.js";
import type { Block, PairBlock } from "./blocks.js";
import { receiptLabels, reportName } from "./labels.js";
import { amount, deduction, endOfReceipt, field, localTime, title } from "./layout-parts.js";
import type { ReceiptContext } from "./model.js";

/**
 * X (shift) or Z (end-of-day) report: per campaign, what was redeemed, what voids gave back, and
 * the net figures (the first minus the second), so no void reads as one more discount.
 */
export function layoutReport(ctx: ReceiptContext, report: ShiftReport, conflicts = 0): Block[] {
  const t = receiptLabels(ctx.locale);
  const currency = ctx.currency;
  const blocks: Block[] = [title(reportName(report.kind, ctx.locale)), { kind: "feed", lines: 1 }];
  if (report.no !== undefined) blocks.push(field(t, t.zNumber, String(report.no)));
  blocks.push(
    field(t, t.store, ctx.storeName),
    field(t, t.terminal, report.terminal),
    field(t, t.from, localTime(report.from, ctx.timezone)),
    field(t, t.to, localTime(report.to, ctx.timezone)),
    { kind: "rule" },
  );
  if (report.rows.length === 0) blocks.push({ kind: "text", text: t.noRedemptions });
  for (const row of report.rows) {
    blocks.push(
      { kind: "pair", left: ctx.campaignName(row.campaign), right: t.count(row.count), bold: true },
      { ...amount(t.bill, row.amount, currency), indent: 2 },
      deduction(t.discount, row.discount, currency, 2),
    );
  }
  const { redeemed, voids, totals } = report;
  blocks.push(
    { kind: "rule" },
    { kind: "pair", left: t.redeemed, right: t.count(redeemed.count) },
    { ...amount(t.bill, redeemed.amount, currency), indent: 2 },
    deduction(t.discount, redeemed.discount, currency, 2),
    { ...amount(t.toPay, redeemed.payable, currency), indent: 2 },
    { kind: "pair", left: t.voids, right: t.count(voids.count) },
    { ...amount(t.bill, voids.amount, currency), indent: 2 },
    // Given back: no minus sign, so it never reads as one more discount.
    { ...amount(t.discountReturned, voids.discount, currency), indent: 2 },
    { ...amount(t.toPay, voids.payable, currency), indent: 2 },
    { kind: "rule" },
    { kind: "pair", left: t.netRedemptions, right: t.count(totals.count) },
    amount(t.billTotal, totals.amount, currency),
    netDeduction(t.discountTotal, totals.discount, currency),
    amount(t.toPayTotal, totals.payable, currency, true),
  );
  // A code used beyond its uses at tills cut off from each other: the books differ until it is settled.
  if (conflicts > 0) blocks.push({ kind: "rule" }, { kind: "text", text: t.conflicts(conflicts) });
  blocks.push(...endOfReceipt());
  return blocks;
}

/** A net discount; below zero only when voids gave back more than the period redeemed (shown "+"). */
function netDeduction(left: string, minor: number, currency: string): PairBlock {
  if (minor >= 0) return deduction(left, minor, currency);
  return { kind: "pair", left, right: `+${formatMoney(-minor, currency)}` };
}
