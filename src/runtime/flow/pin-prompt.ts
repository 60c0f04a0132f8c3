import type { KeyAction } from "./keymap.js";

const MAX_PIN_LENGTH = 12;

export type PinPromptOutcome = { type: "submit"; pin: string } | { type: "cancel" } | { type: "menu" } | null;

/**
 * The manager PIN being typed (for a void or a Z). The digits never leave this object but to the
 * ledger, which alone counts wrong PINs (one lockout for every door).
 */
export class PinPrompt {
  private pin = "";

  get pinLength(): number {
    return this.pin.length;
  }

  key(action: KeyAction): PinPromptOutcome {
    switch (action.type) {
      case "digit":
        if (this.pin.length < MAX_PIN_LENGTH) this.pin += String(action.value);
        return null;
      case "backspace":
        this.pin = this.pin.slice(0, -1);
        return null;
      case "cancel":
      case "menu":
        this.pin = "";
        return { type: action.type };
      case "confirm": {
        const pin = this.pin;
        this.pin = "";
        return { type: "submit", pin };
      }
      default:
        return null;
    }
  }
}
