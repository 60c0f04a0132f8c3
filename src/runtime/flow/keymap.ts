import {
  ACTIONS,
  type ActionName,
  DIGIT_ACTIONS,
  PHYSICAL_KEYS,
  type PhysicalKey,
} from "../config/keypad-keys.js";

/**
 * Physical keys of a standard 17-key USB numeric keypad, and what each one does in the flow.
 *
 * Default layout (the keypad as the cashier sees it):
 *
 *   +---------+---------+---------+---------+
 *   | NumLock |    /    |    *    |    -    |
 *   | (none)  | code    | menu    | cancel  |
 *   +---------+---------+---------+---------+
 *   |    7    |    8    |    9    |    +    |
 *   |         |         |         | member/ |
 *   +---------+---------+---------+ add     |
 *   |    4    |    5    |    6    | coupon  |
 *   +---------+---------+---------+---------+
 *   |    1    |    2    |    3    |  Enter  |
 *   +---------+---------+---------+ confirm |
 *   |    0 (wide)       |    .    |         |
 *   +-------------------+---------+---------+
 *
 *   Backspace (on keypads that have it, and the console keyboard): delete the last character.
 *   Escape (the console keyboard standing in for the keypad): cancel.
 *
 * "code" lets the cashier type a coupon code on the keypad when the scanner cannot read it;
 * "member" asks for the member (phone typed, or member code scanned) and also accepts another
 * coupon scanned at that prompt.
 */

export type { ActionName, PhysicalKey };
export { ACTIONS, PHYSICAL_KEYS };

/** What a key press means to the flow. */
export type KeyAction =
  | { type: "digit"; value: number }
  | { type: "dot" }
  | { type: "confirm" }
  | { type: "backspace" }
  | { type: "cancel" }
  | { type: "menu" }
  | { type: "manual" }
  | { type: "member" };

export type Keymap = Readonly<Record<PhysicalKey, ActionName>>;

export const DEFAULT_KEYMAP: Keymap = {
  "0": "digit0",
  "1": "digit1",
  "2": "digit2",
  "3": "digit3",
  "4": "digit4",
  "5": "digit5",
  "6": "digit6",
  "7": "digit7",
  "8": "digit8",
  "9": "digit9",
  ".": "dot",
  Enter: "confirm",
  "+": "member",
  "-": "cancel",
  "*": "menu",
  "/": "manual",
  Backspace: "backspace",
  NumLock: "none",
  Escape: "cancel",
};

/** Actions the terminal cannot be used without: a keymap that leaves one unbound is refused. */
const REQUIRED_ACTIONS: readonly ActionName[] = [...DIGIT_ACTIONS, "confirm", "cancel"];

export class KeymapError extends Error {
  override name = "KeymapError";
}

export function isPhysicalKey(key: string): key is PhysicalKey {
  return (PHYSICAL_KEYS as readonly string[]).includes(key);
}

export function isActionName(name: string): name is ActionName {
  return (ACTIONS as readonly string[]).includes(name);
}

/** The default layout with the configured overrides applied (physical key -> action name). */
export function resolveKeymap(overrides: Readonly<Record<string, string>> = {}): Keymap {
  const keymap: Record<PhysicalKey, ActionName> = { ...DEFAULT_KEYMAP };
  for (const [key, action] of Object.entries(overrides)) {
    if (!isPhysicalKey(key)) {
      throw new KeymapError(
        `keymap: "${key}" is not a keypad key (expected one of ${PHYSICAL_KEYS.join(" ")})`,
      );
    }
    if (!isActionName(action)) {
      throw new KeymapError(
        `keymap: "${key}": "${action}" is not an action (expected one of ${ACTIONS.join(" ")})`,
      );
    }
    keymap[key] = action;
  }
  const bound = new Set(Object.values(keymap));
  const missing = REQUIRED_ACTIONS.filter((a) => !bound.has(a));
  if (missing.length > 0) throw new KeymapError(`keymap leaves no key for: ${missing.join(", ")}`);
  return keymap;
}

/** The action a physical key triggers, or null for an unbound or unknown key. */
export function actionFor(keymap: Keymap, key: string): KeyAction | null {
  if (!isPhysicalKey(key)) return null;
  const name = keymap[key];
  switch (name) {
    case "dot":
    case "confirm":
    case "backspace":
    case "cancel":
    case "menu":
    case "manual":
    case "member":
      return { type: name };
    case "none":
      return null;
    default:
      return { type: "digit", value: Number(name.slice("digit".length)) };
  }
}
