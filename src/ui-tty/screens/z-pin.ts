import { reportName } from "../../runtime/receipts/labels.js";
import { type Block, block, compose, line } from "../layout.js";
import type { Line } from "../line.js";
import { t } from "../messages.js";
import { headerBlock, row, type ScreenOptions, type ViewOf } from "./frame.js";
import { pinEntryBlocks } from "./pin-entry.js";

/** Closing the books (Z): its number, where its period starts, and the manager PIN as stars. */
export function zPinScreen(view: ViewOf<"z_pin">, o: ScreenOptions): Line[] {
  const { zNo, from } = view.screen;
  const top: Block[] = [
    headerBlock(t(o.locale, "z.title", { report: reportName("Z", o.locale), no: zNo }), view, o),
    block(5, line("")),
    block(1, row(t(o.locale, "z.from"), from, o)),
    block(0, line(t(o.locale, "z.confirm"), "warning")),
  ];
  return compose(o, top, pinEntryBlocks(view.screen, view, o));
}
