import { reportName } from "../../runtime/receipts/labels.js";
import { type Block, block, compose, line } from "../layout.js";
import type { Line } from "../line.js";
import { t } from "../messages.js";
import { headerBlock, hintsBlock, messageBlocks, row, type ScreenOptions, type ViewOf } from "./frame.js";

/** Closing the books (Z): its number, where its period starts, and the manager PIN as stars. */
export function zPinScreen(view: ViewOf<"z_pin">, o: ScreenOptions): Line[] {
  const { zNo, from, pinLength, attemptsLeft } = view.screen;
  const top: Block[] = [
    headerBlock(t(o.locale, "z.title", { report: reportName("Z", o.locale), no: zNo }), view, o),
    block(5, line("")),
    block(1, row(t(o.locale, "z.from"), from, o)),
    block(0, line(t(o.locale, "z.confirm"), "warning")),
  ];
  const bottom: Block[] = [
    block(0, row(t(o.locale, "void.pin"), `${"*".repeat(pinLength)}_`, o, "strong")),
    block(1, line(t(o.locale, "void.attempts", { n: attemptsLeft }), "dim")),
    ...messageBlocks(view, o),
    hintsBlock(o, [
      ["confirm", "hint.confirm"],
      ["cancel", "hint.cancel"],
      ["backspace", "hint.delete"],
    ]),
  ];
  return compose(o, top, bottom);
}
