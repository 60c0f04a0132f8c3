import { padEnd } from "../runtime/text/fit.js";
import type { Line, LineStyle, ScreenSize } from "./line.js";

/**
 * A group of rows that is kept or dropped together. Priority 0 is always kept; when the screen is
 * too short, the block with the highest priority number goes first (the lowest one on screen
 * among equals).
 */
export interface Block {
  lines: Line[];
  priority: number;
}

export function block(priority: number, ...lines: Line[]): Block {
  return { lines, priority };
}

export function line(text: string, style?: LineStyle): Line {
  return style ? { text, style } : { text };
}

/**
 * Lays `top` blocks from the first row down and `bottom` blocks against the last row, drops
 * blocks that do not fit, and returns exactly `rows` lines of exactly `cols` columns.
 */
export function compose(size: ScreenSize, top: Block[], bottom: Block[]): Line[] {
  const kept = [...top.map((b) => ({ ...b, top: true })), ...bottom.map((b) => ({ ...b, top: false }))];
  const height = () => kept.reduce((n, b) => n + b.lines.length, 0);
  while (height() > size.rows) {
    let drop = -1;
    kept.forEach((b, i) => {
      const current = kept[drop];
      if (b.priority > 0 && (!current || b.priority >= current.priority)) drop = i;
    });
    if (drop < 0) break;
    kept.splice(drop, 1);
  }
  const upper = kept.filter((b) => b.top).flatMap((b) => b.lines);
  const lower = kept.filter((b) => !b.top).flatMap((b) => b.lines);
  const lowerShown = lower.slice(Math.max(0, lower.length - size.rows));
  const upperShown = upper.slice(0, size.rows - lowerShown.length);
  const filler = Array.from({ length: size.rows - upperShown.length - lowerShown.length }, () => line(""));
  return [...upperShown, ...filler, ...lowerShown].map((l) => ({ ...l, text: padEnd(l.text, size.cols) }));
}
