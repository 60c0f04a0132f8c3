import { center } from "../../runtime/text/fit.js";
import { type Block, block, compose, line } from "../layout.js";
import type { Line } from "../line.js";
import { t } from "../messages.js";
import {
  bigBlock,
  headerBlock,
  hintsBlock,
  messageBlocks,
  money,
  row,
  type ScreenOptions,
  type ViewOf,
} from "./frame.js";
import { receiptBlocks } from "./receipt-summary.js";

/** Committed and on disk: the green banner and the amount to collect. */
export function approvedScreen(view: ViewOf<"approved">, o: ScreenOptions): Line[] {
  const receipt = view.screen.receipt;
  const banner = line(center(t(o.locale, "approved.title"), o.cols), "approved");
  const bigOk = bigBlock("OK", o, "approved");
  const top: Block[] = [headerBlock(view.storeName, view, o)];
  if (bigOk) top.push(block(0, line("", "approved"), ...bigOk.lines, banner, line("", "approved")));
  else top.push(block(4, line("", "approved")), block(0, banner), block(4, line("", "approved")));
  top.push(block(5, line("")));
  top.push(block(0, row(t(o.locale, "approved.collect"), money(receipt.payable, view), o, "strong")));
  const bigAmount = bigBlock(money(receipt.payable, view), o, "strong");
  if (bigAmount) top.push(bigAmount, block(5, line("")));
  top.push(...receiptBlocks(receipt, view, o, true));
  return compose(o, top, [...messageBlocks(view, o), hintsBlock(o, [[null, "hint.next"]])]);
}
