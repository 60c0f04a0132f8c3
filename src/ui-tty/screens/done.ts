import { type Block, block, compose, line } from "../layout.js";
import type { Line } from "../line.js";
import { t } from "../messages.js";
import { center } from "../text-width.js";
import { headerBlock, hintsBlock, messageBlocks, type ScreenOptions, type ViewOf } from "./frame.js";
import { receiptBlocks } from "./receipt-summary.js";

/** A menu action finished: a void committed, a reprint or a report sent to the printer. */
export function doneScreen(view: ViewOf<"done">, o: ScreenOptions): Line[] {
  const { what, receipt } = view.screen;
  const style = what === "voided" ? "warning" : "strong";
  const top: Block[] = [
    headerBlock(view.storeName, view, o),
    block(5, line("")),
    block(0, line(center(t(o.locale, `done.${what}`), o.cols), style)),
    block(5, line("")),
  ];
  if (receipt) top.push(...receiptBlocks(receipt, view, o));
  return compose(o, top, [...messageBlocks(view, o), hintsBlock(o, [[null, "hint.next"]])]);
}
