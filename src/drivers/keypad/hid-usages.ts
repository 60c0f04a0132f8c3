/**
 * HID keyboard usage ids (USB HID Usage Tables, page 0x07) for what a numeric keypad and a
 * keyboard-wedge scanner send. Keypad keys map to the keymap's physical key names; the main row's
 * digits and punctuation map to the same names, because many keypads and scanners use them.
 */
export const KEYPAD_USAGES: Readonly<Record<number, string>> = {
  83: "NumLock",
  84: "/",
  85: "*",
  86: "-",
  87: "+",
  88: "Enter",
  89: "1",
  90: "2",
  91: "3",
  92: "4",
  93: "5",
  94: "6",
  95: "7",
  96: "8",
  97: "9",
  98: "0",
  99: ".",
  40: "Enter",
  41: "Escape",
  42: "Backspace",
};

const MAIN_ROW_DIGITS = "1234567890";
const LEFT_SHIFT = 0x02;
const RIGHT_SHIFT = 0x20;

/** The character a keyboard-wedge scanner means by a usage and modifier byte, or null. */
export function usageToChar(usage: number, modifiers: number): string | null {
  const shift = (modifiers & (LEFT_SHIFT | RIGHT_SHIFT)) !== 0;
  if (usage >= 0x04 && usage <= 0x1d) {
    const letter = String.fromCharCode(0x61 + usage - 0x04);
    return shift ? letter.toUpperCase() : letter;
  }
  if (usage === 0x25 && shift) return "*"; // shift-8: the separator of dynamic codes
  if (usage >= 0x1e && usage <= 0x27) return shift ? null : (MAIN_ROW_DIGITS[usage - 0x1e] as string);
  if (usage >= 0x59 && usage <= 0x62) return MAIN_ROW_DIGITS[usage - 0x59] as string;
  if (usage === 0x2d) return shift ? "_" : "-";
  if (usage === 0x30 && !shift) return "]"; // the start of an AIM symbology prefix
  if (usage === 0x56) return "-";
  if (usage === 0x55) return "*";
  if (usage === 0x63 || usage === 0x37) return shift ? null : ".";
  return null;
}

export function keypadKeyFor(usage: number): string | null {
  if (usage >= 0x1e && usage <= 0x27) return MAIN_ROW_DIGITS[usage - 0x1e] as string;
  return KEYPAD_USAGES[usage] ?? null;
}

/**
 * A boot-keyboard report is key state (modifier, reserved, six usage ids), not events: a key was
 * pressed when it is in this report and was not in the previous one.
 */
export function newlyPressed(previous: Uint8Array, report: Uint8Array): number[] {
  const before = new Set(previous.subarray(2, 8));
  const pressed: number[] = [];
  for (const usage of report.subarray(2, 8)) {
    // 0x01 = too many keys down (phantom state): nothing in this report can be trusted.
    if (usage === 0x01) return [];
    if (usage !== 0 && !before.has(usage)) pressed.push(usage);
  }
  return pressed;
}
