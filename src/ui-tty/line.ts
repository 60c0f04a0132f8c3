/**
 * What a screen is made of: one text per terminal row, exactly as wide as the screen, and an
 * optional style for the whole row. Styles say what a row means; the writer decides how that looks
 * (colours, or bold and inverse on a monochrome console).
 */
export type LineStyle =
  /** The header bar. */
  | "title"
  /** The verdict banner after a commit. */
  | "approved"
  /** The verdict banner when the sale cannot be committed. */
  | "rejected"
  /** Every coupon accepted, waiting for the cashier to confirm (not approved yet). */
  | "ready"
  /** Something the cashier or technician should look at (printer, clock, network). */
  | "warning"
  /** A refused coupon line, an error message. */
  | "error"
  /** Amounts and the thing being typed. */
  | "strong"
  | "dim";

export interface Line {
  text: string;
  style?: LineStyle;
}

export interface ScreenSize {
  cols: number;
  rows: number;
}
