import type { RedeemEntry, VoidEntry } from "../../protocol/journal/index.js";

/** What the flow asks the printer to print; `receiptForJob` lays these out. */
export type PrintJob =
  /** `reprint`: a copy asked for from the menu (the receipt should say so). */
  | { kind: "redemption"; entry: RedeemEntry; reprint?: boolean }
  | { kind: "void"; entry: VoidEntry; original: RedeemEntry; reprint?: boolean }
  /**
   * X: shift report, Z: end-of-day report, over redemptions and voids with `from <= at < to`.
   * `no`: the Z's number; `reprint`: a copy of a Z already closed.
   */
  | {
      kind: "report";
      report: "X" | "Z";
      from: number;
      to: number;
      no?: number;
      reprint?: boolean;
      /** Open conflicts the merchant flagged on this till's redemptions, when the slip is printed. */
      conflicts?: number;
    };
