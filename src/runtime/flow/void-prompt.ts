import type { RedeemEntry } from "../ledger/records.js";
import type { KeyAction } from "./keymap.js";

const MAX_PIN_LENGTH = 12;

export type VoidPromptOutcome =
  | { type: "submit"; pin: string }
  | { type: "cancel" }
  | { type: "menu" }
  | null;

/** The manager PIN being typed to void `target`. The digits never leave this object but to the ledger. */
export class VoidPrompt {
  private pin = "";
  private wrong = 0;

  constructor(
    readonly target: RedeemEntry,
    private readonly maxAttempts: number,
  ) {}

  get pinLength(): number {
    return this.pin.length;
  }

  get attemptsLeft(): number {
    return Math.max(0, this.maxAttempts - this.wrong);
  }

  key(action: KeyAction): VoidPromptOutcome {
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

  /** Counts a refused PIN; returns the attempts left. */
  refused(): number {
    this.wrong++;
    return this.attemptsLeft;
  }
}
