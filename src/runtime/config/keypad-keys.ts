/**
 * The words a keymap is written in: the keys of a USB numeric keypad (and the console keyboard
 * standing in for it) and the actions the flow gives them. Here, below both, because the config
 * schema validates `keymap` with them and the flow (flow/keymap.ts) resolves them.
 */

export const PHYSICAL_KEYS = [
  "0",
  "1",
  "2",
  "3",
  "4",
  "5",
  "6",
  "7",
  "8",
  "9",
  ".",
  "Enter",
  "+",
  "-",
  "*",
  "/",
  "Backspace",
  "NumLock",
  "Escape",
] as const;

export type PhysicalKey = (typeof PHYSICAL_KEYS)[number];

export const DIGIT_ACTIONS = [
  "digit0",
  "digit1",
  "digit2",
  "digit3",
  "digit4",
  "digit5",
  "digit6",
  "digit7",
  "digit8",
  "digit9",
] as const;

export const ACTIONS = [
  ...DIGIT_ACTIONS,
  "dot",
  "confirm",
  "backspace",
  "cancel",
  "menu",
  "manual",
  "member",
  "none",
] as const;

export type ActionName = (typeof ACTIONS)[number];
