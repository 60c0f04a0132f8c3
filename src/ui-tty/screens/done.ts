import type { DoneWhat } from "../../runtime/flow/view.js";
import { reportName } from "../../runtime/receipts/labels.js";
import { center } from "../../runtime/text/fit.js";
import { type Block, block, compose, line } from "../layout.js";
import type { Line } from "../line.js";
import { t } from "../messages.js";
import { headerBlock, hintsBlock, messageBlocks, type ScreenOptions, type ViewOf } from "./frame.js";
import { receiptBlocks } from "./receipt-summary.js";

/**
 * A menu action finished: a void committed, a reprint or a report sent to the printer. The print's
 * line says printing only while the printer works on it, then printed or not printed.
 */
export function doneScreen(view: ViewOf<"done">, o: ScreenOptions): Line[] {
  const { what, receipt, print, zNo } = view.screen;
  const style = what === "voided" ? "warning" : "strong";
  const top: Block[] = [
    headerBlock(view.storeName, view, o),
    block(5, line("")),
    block(0, line(center(title(what, zNo, o), o.cols), style)),
    block(
      0,
      line(
        center(t(o.locale, `print.${print}`), o.cols),
        print === "failed" ? "error" : print === "printing" ? undefined : "dim",
      ),
    ),
    block(5, line("")),
  ];
  if (receipt) top.push(...receiptBlocks(receipt, view, o));
  return compose(o, top, [...messageBlocks(view, o), hintsBlock(o, [[null, "hint.next"]])]);
}

function title(what: DoneWhat, zNo: number | undefined, o: ScreenOptions): string {
  const report = reportName(what === "report_X" ? "X" : "Z", o.locale);
  return t(o.locale, `done.${what}`, { report, no: zNo ?? "" });
}
