import { type Block, block, compose, line } from "../layout.js";
import type { Line } from "../line.js";
import { type MessageKey, t } from "../messages.js";
import { headerBlock, hintsBlock, messageBlocks, type ScreenOptions, type ViewOf } from "./frame.js";

const ITEMS: readonly MessageKey[] = ["menu.void", "menu.reprint", "menu.x", "menu.z"];

/** The manager's menu: each item chosen by its number. */
export function menuScreen(view: ViewOf<"menu">, o: ScreenOptions): Line[] {
  const top: Block[] = [headerBlock(t(o.locale, "menu.title"), view, o), block(5, line(""))];
  ITEMS.forEach((key, i) => {
    top.push(block(0, line(`  ${i + 1}  ${t(o.locale, key)}`, "strong")));
  });
  const hints = hintsBlock(o, [
    [null, "hint.choose"],
    ["cancel", "hint.back"],
  ]);
  return compose(o, top, [...messageBlocks(view, o), hints]);
}
