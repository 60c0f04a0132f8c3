import { localize } from "../engine/labels.js";
import { buildShiftReport } from "../ledger/shift-report.js";
import type { LedgerPort } from "../store/ledger-port.js";
import type { Block } from "./blocks.js";
import { layoutRedemption } from "./layout-redemption.js";
import { layoutReport } from "./layout-report.js";
import { layoutVoid } from "./layout-void.js";
import type { PaperColumns, ReceiptContext, ReceiptLocale } from "./model.js";
import type { PrintJob } from "./print-job.js";

export interface ReceiptSettings {
  storeName: string;
  terminal: string;
  locale: ReceiptLocale;
  paperWidth: 58 | 80;
}

/** What the flow asked to print, laid out with the list in force (names, timezone, currency). */
export function receiptForJob(
  job: PrintJob,
  ledger: LedgerPort,
  settings: ReceiptSettings,
): { blocks: Block[]; label: string } {
  const index = ledger.index();
  const ctx: ReceiptContext = {
    storeName: settings.storeName,
    terminal: settings.terminal,
    locale: settings.locale,
    timezone: index?.timezone ?? "UTC",
    currency: index?.currency ?? "CNY",
    width: paperColumns(settings.paperWidth),
    campaignName: (id) => {
      const campaign = index?.campaigns.get(id);
      return campaign ? localize(campaign.name, settings.locale) : id;
    },
  };
  switch (job.kind) {
    case "redemption":
      return {
        blocks: copyMark(job.reprint, settings.locale, layoutRedemption(ctx, job.entry)),
        label: job.reprint ? "reprint" : "redeem",
      };
    case "void":
      return {
        blocks: copyMark(job.reprint, settings.locale, layoutVoid(ctx, job.entry, job.original)),
        label: "void",
      };
    case "report": {
      const entries = ledger.entriesBetween(job.from, job.to).filter((e) => e.terminal === settings.terminal);
      const report = buildShiftReport(
        job.report,
        job,
        settings.terminal,
        entries,
        (id) => ledger.redemption(id)?.entry,
      );
      return {
        blocks: copyMark(job.reprint, settings.locale, layoutReport(ctx, report, job.conflicts ?? 0)),
        label: job.report === "X" ? "report-x" : job.reprint ? "report-z-copy" : "report-z",
      };
    }
  }
}

/** A reprint says so on top, so a copy is never taken for a second redemption. */
function copyMark(reprint: boolean | undefined, locale: ReceiptLocale, blocks: Block[]): Block[] {
  if (!reprint) return blocks;
  return [
    {
      kind: "text",
      text: locale === "zh-CN" ? "** 重打印 副本 **" : "** REPRINT - COPY **",
      align: "center",
      bold: true,
    },
    ...blocks,
  ];
}

export function paperColumns(paperWidth: 58 | 80): PaperColumns {
  return paperWidth === 58 ? 32 : 48;
}
