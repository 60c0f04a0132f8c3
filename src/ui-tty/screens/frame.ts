import type { Locale } from "../../runtime/engine/labels.js";
import { type ActionName, DEFAULT_KEYMAP, type Keymap, PHYSICAL_KEYS } from "../../runtime/flow/keymap.js";
import type { FlowView, ScreenView } from "../../runtime/flow/view.js";
import { formatMoney } from "../../runtime/money.js";
import { center, spreadOnScreen } from "../../runtime/text/fit.js";
import { screenWidth } from "../../runtime/text/measure.js";
import { wrapForScreen } from "../../runtime/text/wrap.js";
import { BIG_TEXT_ROWS, bigText } from "../big-text.js";
import { type Block, block, line } from "../layout.js";
import type { LineStyle, ScreenSize } from "../line.js";
import { type MessageKey, t } from "../messages.js";

export interface ScreenOptions extends ScreenSize {
  locale: Locale;
  /** For the key names in the hints; the default layout when absent. */
  keymap?: Keymap;
}

/** A view whose screen is the one named. */
export type ViewOf<N extends ScreenView["name"]> = FlowView & { screen: Extract<ScreenView, { name: N }> };

/** Room for block letters: an HDMI monitor or a large console, not the 3.5" LCD. */
export function hasRoomForBigText(o: ScreenOptions): boolean {
  return o.rows >= 20 && o.cols >= 60;
}

export function headerBlock(title: string, view: FlowView, o: ScreenOptions): Block {
  const clock = o.cols >= 60 ? view.clock : view.clock.slice(11);
  return block(0, line(spreadOnScreen(` ${title}`, `${clock} `, o.cols), "title"));
}

/** A label and a value, the value's last column on the screen's last column. */
export function row(
  label: string,
  value: string,
  o: ScreenOptions,
  style?: LineStyle,
): Block["lines"][number] {
  return line(spreadOnScreen(label, value, o.cols), style);
}

export function money(minor: number, view: FlowView): string {
  return formatMoney(minor, view.currency);
}

/** A typed amount with the currency around it as `formatMoney` puts it: "128.5" -> "￥128.5". */
export function typedMoney(text: string, view: FlowView): string {
  return formatMoney(0, view.currency).replace(/\d[\d.]*/, text);
}

/** Block letters centred, or null when they do not fit or have no glyph. */
export function bigBlock(text: string, o: ScreenOptions, style?: LineStyle): Block | null {
  const letters = bigText(text);
  if (!letters || !hasRoomForBigText(o) || screenWidth(letters[0] ?? "") > o.cols) return null;
  return { priority: 3, lines: letters.slice(0, BIG_TEXT_ROWS).map((l) => line(center(l, o.cols), style)) };
}

/**
 * A code being typed on the console, the notice and a failed print: what the cashier must read,
 * wrapped to at most two rows each.
 */
export function messageBlocks(view: FlowView, o: ScreenOptions): Block[] {
  const blocks: Block[] = [];
  if (view.typing !== undefined)
    blocks.push(block(0, row(t(o.locale, "sale.code"), `${view.typing}_`, o, "strong")));
  const problem = view.printProblem;
  if (problem) {
    const text = t(o.locale, `print.failed.${problem.job}`, { detail: problem.detail });
    blocks.push(wrapped(text, o, "warning"));
  }
  const notice = view.notice;
  if (notice) {
    const text = t(o.locale, `notice.${notice.code}`, notice.params ?? {});
    blocks.push(wrapped(text, o, notice.tone === "error" ? "error" : undefined));
  }
  return blocks;
}

function wrapped(text: string, o: ScreenOptions, style: LineStyle | undefined): Block {
  const [first = "", second] = wrapForScreen(text, o.cols);
  const lines = [line(first, style)];
  if (second !== undefined) lines.push(line(second, style));
  return block(0, ...lines);
}

/** The key hints row: "Enter 核销  - 取消  ...", as many as fit, most important first. */
export function hintsBlock(o: ScreenOptions, hints: ReadonlyArray<[ActionName | null, MessageKey]>): Block {
  const keymap = o.keymap ?? DEFAULT_KEYMAP;
  let text = "";
  for (const [action, key] of hints) {
    const label = action === null ? "" : keyLabel(keymap, action);
    if (action !== null && label === null) continue;
    const hint = label ? `${label} ${t(o.locale, key)}` : t(o.locale, key);
    const next = text === "" ? hint : `${text}  ${hint}`;
    if (screenWidth(next) > o.cols) break;
    text = next;
  }
  return block(1, line(text, "dim"));
}

const KEY_NAMES: Partial<Record<string, string>> = { Backspace: "Bksp", Escape: "Esc", NumLock: "Num" };

/** The first key (in keypad order) bound to the action, as printed on the keycap. */
export function keyLabel(keymap: Keymap, action: ActionName): string | null {
  const key = PHYSICAL_KEYS.find((k) => keymap[k] === action);
  return key === undefined ? null : (KEY_NAMES[key] ?? key);
}
