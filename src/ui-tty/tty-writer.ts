import { padEnd } from "../runtime/text/fit.js";
import type { Line, LineStyle, ScreenSize } from "./line.js";

/** Any output with a size, e.g. process.stdout on tty1 or a pseudo-terminal. */
export interface TtyOutput {
  columns?: number;
  rows?: number;
  write(data: string, callback?: (err?: Error | null) => void): boolean;
  on(event: "resize" | "error", listener: (err?: Error) => void): unknown;
  off(event: "resize" | "error", listener: (err?: Error) => void): unknown;
}

export interface TtyWriterOptions {
  /** Colours; off for monochrome consoles and when NO_COLOR is set (see `wantsColor`). */
  color: boolean;
  /** A write that failed; the next paint is a full repaint. */
  onError: (err: Error) => void;
  /** Overrides the output's own size (outputs that do not know theirs). */
  size?: ScreenSize;
}

const ESC = "\u001b";
const CSI = `${ESC}[`;
const HIDE_CURSOR = `${CSI}?25l`;
const SHOW_CURSOR = `${CSI}?25h`;
const RESET = `${CSI}0m`;
const CLEAR = `${CSI}2J`;
const ERASE_LINE = `${CSI}K`;
const BEL = "\u0007";

/** SGR parameters per style: with colours, and for a monochrome console (bold and inverse only). */
const SGR_COLOR: Record<LineStyle, string> = {
  title: "1;37;44",
  approved: "1;37;42",
  rejected: "1;37;41",
  ready: "1;30;46",
  warning: "1;33",
  error: "1;31",
  strong: "1",
  dim: "2",
};
const SGR_MONO: Record<LineStyle, string> = {
  title: "7",
  approved: "1;7",
  rejected: "1;7",
  ready: "1",
  warning: "1",
  error: "1",
  strong: "1",
  dim: "",
};

/** Colour unless the config turns it off or the NO_COLOR convention (https://no-color.org) is set. */
export function wantsColor(configured: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return configured && !env.NO_COLOR;
}

/**
 * Paints screens on a terminal with plain ANSI the Linux console understands: cursor positioning
 * (CUP), erase line, SGR attributes, cursor hidden. Only rows that changed since the last paint
 * are written; a resize or a failed write makes the next paint a full one.
 */
export class TtyWriter {
  /** What each row shows now (its full escape sequence); null: unknown, repaint everything. */
  private painted: string[] | null = null;
  private lastLines: readonly Line[] = [];
  private readonly resizeListeners = new Set<(size: ScreenSize) => void>();
  private readonly onResize = () => this.resized();
  private readonly onStreamError = (err?: Error) => this.failed(err ?? new Error("display write failed"));

  constructor(
    private readonly out: TtyOutput,
    private readonly options: TtyWriterOptions,
  ) {
    out.on("resize", this.onResize);
    out.on("error", this.onStreamError);
  }

  size(): ScreenSize {
    if (this.options.size) return this.options.size;
    return { cols: this.out.columns || 80, rows: this.out.rows || 24 };
  }

  /**
   * Called after a resize, once the old screen is forgotten: render for the new size and paint.
   * Without a listener the last lines are repainted, cut or padded to the new size.
   */
  onResized(listener: (size: ScreenSize) => void): () => void {
    this.resizeListeners.add(listener);
    return () => this.resizeListeners.delete(listener);
  }

  paint(lines: readonly Line[]): void {
    this.lastLines = lines;
    const { cols, rows } = this.size();
    const rendered = Array.from({ length: rows }, (_, y) => this.renderRow(y, lines[y], cols));
    const full = this.painted === null || this.painted.length !== rows;
    let data = full ? `${HIDE_CURSOR}${RESET}${CLEAR}` : "";
    rendered.forEach((row, y) => {
      if (full || this.painted?.[y] !== row) data += row;
    });
    this.painted = rendered;
    if (data !== "") this.write(data);
  }

  /** Forget what the screen shows: the next paint repaints every row (e.g. after kernel messages). */
  invalidate(): void {
    this.painted = null;
  }

  bell(): void {
    this.write(BEL);
  }

  /** Restores the terminal: attributes reset, cursor shown below the screen. */
  close(): void {
    this.out.off("resize", this.onResize);
    this.out.off("error", this.onStreamError);
    this.write(`${RESET}${CSI}${this.size().rows};1H${SHOW_CURSOR}\r\n`);
  }

  private renderRow(y: number, line: Line | undefined, cols: number): string {
    const sgr = line?.style ? (this.options.color ? SGR_COLOR : SGR_MONO)[line.style] : "";
    const attrs = sgr ? `${CSI}${sgr}m` : "";
    // Attributes first, so the erase fills the row with the row's background colour.
    return `${CSI}${y + 1};1H${attrs}${ERASE_LINE}${padEnd(line?.text ?? "", cols)}${RESET}`;
  }

  private resized(): void {
    this.painted = null;
    const size = this.size();
    if (this.resizeListeners.size === 0) this.paint(this.lastLines);
    else for (const listener of this.resizeListeners) listener(size);
  }

  private write(data: string): void {
    try {
      this.out.write(data, (err) => {
        if (err) this.failed(err);
      });
    } catch (err) {
      this.failed(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private failed(err: Error): void {
    this.painted = null;
    this.options.onError(err);
  }
}
