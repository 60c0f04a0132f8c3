import { parseMoney } from "../money.js";
import type { NoticeCode } from "./view.js";

export type AmountKey = { type: "digit"; value: number } | { type: "dot" } | { type: "backspace" };

/** The typed text after one key, or why the key was refused (the text then stays as it was). */
export type AmountEdit = { text: string } | { refused: NoticeCode };

/**
 * Edits a typed bill amount one key at a time: digits, one decimal point, at most `decimals`
 * decimals, never above `maxMinor`. A leading zero is replaced ("0" then "5" is "5").
 */
export function editAmount(text: string, key: AmountKey, decimals: number, maxMinor: number): AmountEdit {
  if (key.type === "backspace") return { text: text.slice(0, -1) };
  if (key.type === "dot") {
    if (decimals === 0) return { refused: "no_decimals" };
    if (text.includes(".")) return { text };
    return { text: text === "" ? "0." : `${text}.` };
  }
  const next = text === "0" ? String(key.value) : `${text}${key.value}`;
  const dot = next.indexOf(".");
  if (dot >= 0 && next.length - dot - 1 > decimals) return { refused: "too_many_decimals" };
  if (parseMoney(next, decimals) > maxMinor) return { refused: "amount_too_large" };
  return { text: next };
}

/** Minor units of a typed amount; null when nothing has been typed. */
export function typedAmount(text: string, decimals: number): number | null {
  return text === "" ? null : parseMoney(text, decimals);
}
