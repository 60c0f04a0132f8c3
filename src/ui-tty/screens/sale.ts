import type { SaleView } from "../../runtime/flow/view.js";
import { center } from "../../runtime/text/fit.js";
import { type Block, block, compose, line } from "../layout.js";
import type { Line } from "../line.js";
import { type MessageKey, t } from "../messages.js";
import { couponBlocks, reasonText } from "./coupon-lines.js";
import {
  bigBlock,
  headerBlock,
  hintsBlock,
  messageBlocks,
  money,
  row,
  type ScreenOptions,
  typedMoney,
  type ViewOf,
} from "./frame.js";

/** Rows the sale screen needs besides the coupons (header, amount, totals, banner, hints, messages). */
const FIXED_ROWS = 11;

/** The bill being prepared: amount, each coupon's verdict, discount, amount to pay, what to do next. */
export function saleScreen(view: ViewOf<"sale">, o: ScreenOptions): Line[] {
  const sale = view.screen.sale;
  const top: Block[] = [headerBlock(`${view.storeName} · ${t(o.locale, "sale.title")}`, view, o)];
  top.push(...amountBlocks(view, o));
  if (sale.member) {
    const who = t(o.locale, "sale.member.yes") + (sale.memberMasked ? ` ${sale.memberMasked}` : "");
    top.push(block(2, row(t(o.locale, "sale.member"), who, o)));
  }
  if (sale.lines.length > 0) {
    top.push(block(4, line("-".repeat(o.cols), "dim")));
    const shown = Math.max(1, o.rows - FIXED_ROWS);
    const hidden = Math.max(0, sale.lines.length - shown);
    if (hidden > 0) top.push(block(1, line(t(o.locale, "sale.more", { n: hidden }), "dim")));
    for (const coupon of sale.lines.slice(hidden)) top.push(...couponBlocks(coupon, view, o));
    top.push(block(4, line("-".repeat(o.cols), "dim")));
  }
  if (sale.payable !== null && sale.discount !== null && sale.lines.length > 0) {
    top.push(
      block(
        0,
        row(
          t(o.locale, "sale.discount"),
          sale.discount > 0 ? `-${money(sale.discount, view)}` : money(0, view),
          o,
        ),
      ),
    );
    top.push(block(0, row(t(o.locale, "sale.payable"), money(sale.payable, view), o, "strong")));
    const big = sale.step === "review" ? bigBlock(money(sale.payable, view), o, "strong") : null;
    if (big) top.push(block(5, line("")), big);
  }
  const bottom: Block[] = [
    ...entryBlocks(sale, o),
    banner(sale, o),
    ...messageBlocks(view, o),
    hints(sale, o),
  ];
  return compose(o, top, bottom);
}

function amountBlocks(view: ViewOf<"sale">, o: ScreenOptions): Block[] {
  const sale = view.screen.sale;
  const label = t(o.locale, "sale.amount");
  if (sale.amount !== null) return [block(0, row(label, money(sale.amount, view), o, "strong"))];
  const typed =
    sale.step === "amount" ? `${typedMoney(sale.amountText, view)}_` : typedMoney(sale.amountText, view);
  const blocks = [block(0, row(label, typed, o, "strong"))];
  if (sale.replacing !== undefined)
    blocks.push(block(1, row(t(o.locale, "sale.amount.was"), money(sale.replacing, view), o, "dim")));
  const big =
    sale.step === "amount" && sale.amountText !== "" ? bigBlock(typedMoney(sale.amountText, view), o) : null;
  if (big) blocks.push(big);
  return blocks;
}

/** The code or phone number being typed, in full so a typo can be seen (it is masked once entered). */
function entryBlocks(sale: SaleView, o: ScreenOptions): Block[] {
  if (sale.step === "code")
    return [block(0, row(t(o.locale, "sale.code"), `${sale.codeText}_`, o, "strong"))];
  if (sale.step === "member")
    return [block(0, row(t(o.locale, "sale.phone"), `${sale.memberDigits}_`, o, "strong"))];
  return [];
}

/**
 * The one row that says where the sale stands, coloured when it is a verdict. A refusal is the
 * latest refused coupon's (the one the cashier just scanned and the notice names), and with several
 * coupons on the bill it names the coupon, so the row never pairs one coupon's reason with another.
 */
function banner(sale: SaleView, o: ScreenOptions): Block {
  const say = (key: MessageKey, style?: "strong" | "ready" | "rejected", params = {}) =>
    block(0, line(center(t(o.locale, key, params), o.cols), style));
  const refusedLine = sale.lines.findLast((l) => !l.ok);
  const refused = refusedLine && {
    key: (sale.lines.length > 1 ? "sale.refused.code" : "sale.refused") as MessageKey,
    params: { reason: reasonText(refusedLine, o), code: refusedLine.code },
  };
  switch (sale.step) {
    case "code":
      return say("sale.prompt.code");
    case "member":
      return say("sale.prompt.member");
    case "amount":
      if (refused) return say(refused.key, "rejected", refused.params);
      return say("sale.prompt.amount", "strong");
    case "review":
      if (refused) return say(refused.key, "rejected", refused.params);
      if (sale.lines.length === 0) return say("sale.prompt.scan", "strong");
      return say("sale.ready", "ready");
  }
}

function hints(sale: SaleView, o: ScreenOptions): Block {
  switch (sale.step) {
    case "amount":
      return hintsBlock(o, [
        ["confirm", "hint.confirm"],
        ["cancel", "hint.cancel"],
        ["backspace", "hint.delete"],
        ["manual", "hint.code"],
        ["member", "hint.member"],
      ]);
    case "review":
      return hintsBlock(o, [
        ["confirm", "hint.redeem"],
        ["cancel", "hint.cancel"],
        ["backspace", "hint.remove"],
        ["member", "hint.member"],
        ["manual", "hint.code"],
      ]);
    case "code":
    case "member":
      return hintsBlock(o, [
        ["confirm", "hint.confirm"],
        ["cancel", "hint.cancel"],
        ["backspace", "hint.delete"],
      ]);
  }
}
