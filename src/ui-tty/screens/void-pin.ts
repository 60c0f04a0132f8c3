import { type Block, compose } from "../layout.js";
import type { Line } from "../line.js";
import { t } from "../messages.js";
import { headerBlock, type ScreenOptions, type ViewOf } from "./frame.js";
import { pinEntryBlocks } from "./pin-entry.js";
import { receiptBlocks } from "./receipt-summary.js";

/** Voiding the last redemption: what will be voided, and the manager PIN as stars. */
export function voidPinScreen(view: ViewOf<"void_pin">, o: ScreenOptions): Line[] {
  const top: Block[] = [
    headerBlock(t(o.locale, "void.title"), view, o),
    ...receiptBlocks(view.screen.target, view, o),
  ];
  return compose(o, top, pinEntryBlocks(view.screen, view, o));
}
