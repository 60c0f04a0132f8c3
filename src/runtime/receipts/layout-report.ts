import type { Block } from "./blocks.js";
import { receiptLabels } from "./labels.js";
import { amount, deduction, endOfReceipt, field, localTime, title } from "./layout-parts.js";
import type { ReceiptContext, ShiftReport } from "./model.js";

/** X (shift) or Z (end-of-day) report: per campaign, voids, and totals for the period. */
export function layoutReport(ctx: ReceiptContext, report: ShiftReport): Block[] {
  const t = receiptLabels(ctx.locale);
  const currency = ctx.currency;
  const blocks: Block[] = [
    title(report.kind === "X" ? t.shiftReportTitle : t.dayReportTitle),
    { kind: "feed", lines: 1 },
    field(t, t.store, ctx.storeName),
    field(t, t.terminal, report.terminal),
    field(t, t.from, localTime(report.from, ctx.timezone)),
    field(t, t.to, localTime(report.to, ctx.timezone)),
    { kind: "rule" },
  ];
  if (report.rows.length === 0) blocks.push({ kind: "text", text: t.noRedemptions });
  for (const row of report.rows) {
    blocks.push(
      { kind: "pair", left: ctx.campaignName(row.campaign), right: t.count(row.count), bold: true },
      { ...amount(t.bill, row.amount, currency), indent: 2 },
      deduction(t.discount, row.discount, currency, 2),
    );
  }
  blocks.push(
    { kind: "rule" },
    { kind: "pair", left: t.voids, right: t.count(report.voids.count) },
    deduction(t.discount, report.voids.discount, currency, 2),
    { kind: "rule" },
    { kind: "pair", left: t.redemptions, right: String(report.totals.count) },
    amount(t.billTotal, report.totals.amount, currency),
    deduction(t.discount, report.totals.discount, currency),
    amount(t.toPay, report.totals.payable, currency, true),
    ...endOfReceipt(),
  );
  return blocks;
}
