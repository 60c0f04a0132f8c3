import type { FlowView } from "../../runtime/flow/view.js";
import { type Block, block, line } from "../layout.js";
import { t } from "../messages.js";
import { hintsBlock, messageBlocks, row, type ScreenOptions } from "./frame.js";

/** The bottom of every manager-PIN screen (void, Z): the PIN as stars, the attempts left, messages, keys. */
export function pinEntryBlocks(
  pin: { pinLength: number; attemptsLeft: number },
  view: FlowView,
  o: ScreenOptions,
): Block[] {
  return [
    block(0, row(t(o.locale, "void.pin"), `${"*".repeat(pin.pinLength)}_`, o, "strong")),
    block(1, line(t(o.locale, "void.attempts", { n: pin.attemptsLeft }), "dim")),
    ...messageBlocks(view, o),
    hintsBlock(o, [
      ["confirm", "hint.confirm"],
      ["cancel", "hint.cancel"],
      ["backspace", "hint.delete"],
    ]),
  ];
}
