import { type Block, block, compose, line } from "../layout.js";
import type { Line } from "../line.js";
import { t } from "../messages.js";
import { headerBlock, hintsBlock, messageBlocks, row, type ScreenOptions, type ViewOf } from "./frame.js";
import { receiptBlocks } from "./receipt-summary.js";

/** Voiding the last redemption: what will be voided, and the manager PIN as stars. */
export function voidPinScreen(view: ViewOf<"void_pin">, o: ScreenOptions): Line[] {
  const { target, pinLength, attemptsLeft } = view.screen;
  const top: Block[] = [headerBlock(t(o.locale, "void.title"), view, o), ...receiptBlocks(target, view, o)];
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
