/**
 * The document model every receipt layout produces and every renderer (plain text, ESC/POS)
 * consumes. Blocks hold no widths: renderers fit them to the paper with `fit-block.ts`.
 */

export type Align = "left" | "center" | "right";

export interface TextBlock {
  kind: "text";
  text: string;
  align?: Align;
  bold?: boolean;
  /** Double width and height: half as many characters fit on a line. */
  double?: boolean;
  /** Columns of left margin, kept on wrapped lines too. */
  indent?: number;
}

/** A label on the left and a value (usually an amount) flush right. */
export interface PairBlock {
  kind: "pair";
  left: string;
  right: string;
  bold?: boolean;
  indent?: number;
}

export interface RuleBlock {
  kind: "rule";
}

export interface QrBlock {
  kind: "qr";
  data: string;
}

export interface FeedBlock {
  kind: "feed";
  lines: number;
}

export interface CutBlock {
  kind: "cut";
}

export type Block = TextBlock | PairBlock | RuleBlock | QrBlock | FeedBlock | CutBlock;
