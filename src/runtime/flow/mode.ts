import type { RedeemEntry } from "../../protocol/journal/index.js";
import type { PinPrompt } from "./pin-prompt.js";
import type { PrintState } from "./print-tracker.js";
import type { Sale } from "./sale.js";
import type { DoneWhat, ReceiptView } from "./view.js";

/** Where the flow stands: one screen each, with what that screen needs. */
export type Mode =
  | { name: "idle" }
  | { name: "sale"; sale: Sale }
  | { name: "approved"; receipt: ReceiptView; since: number }
  | { name: "menu" }
  | { name: "void_pin"; prompt: PinPrompt; target: RedeemEntry }
  | { name: "z_pin"; prompt: PinPrompt; from: number; no: number }
  | {
      name: "done";
      what: DoneWhat;
      receipt?: ReceiptView;
      zNo?: number;
      print: PrintState;
      since: number;
    };

export type DoneMode = Extract<Mode, { name: "done" }>;
