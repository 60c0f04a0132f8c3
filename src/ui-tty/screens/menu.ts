import { reportName } from "../../runtime/receipts/labels.js";
import { type Block, block, compose, line } from "../layout.js";
import type { Line } from "../line.js";
import { t } from "../messages.js";
import { headerBlock, hintsBlock, messageBlocks, type ScreenOptions, type ViewOf } from "./frame.js";

/** The manager's menu: each item chosen by its number. Report names are the slips' own. */
export function menuScreen(view: ViewOf<"menu">, o: ScreenOptions): Line[] {
  const items = [
    t(o.locale, "menu.void"),
    t(o.locale, "menu.reprint"),
    reportName("X", o.locale),
    reportName("Z", o.locale),
    t(o.locale, "menu.reprint_z", { report: reportName("Z", o.locale) }),
  ];
  const top: Block[] = [headerBlock(t(o.locale, "menu.title"), view, o), block(5, line(""))];
  items.forEach((item, i) => {
    top.push(block(0, line(`  ${i + 1}  ${item}`, "strong")));
  });
  const hints = hintsBlock(o, [
    [null, "hint.choose"],
    ["cancel", "hint.back"],
  ]);
  return compose(o, top, [...messageBlocks(view, o), hints]);
}
