import { EventEmitter } from "node:events";
import xterm from "@xterm/headless";
import type { TtyOutput } from "../../src/ui-tty/tty-writer.js";

const { Terminal } = xterm;
type Terminal = InstanceType<typeof Terminal>;

/** A real terminal emulator behind a stream-like output: what a person would see on the display. */
export class XtermTty extends EventEmitter implements TtyOutput {
  readonly term: Terminal;
  readonly writes: string[] = [];
  /** The next write reports this error to its callback (as a failing tty would). */
  failNextWrite: Error | null = null;

  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
    this.term = new Terminal({ cols: columns, rows, allowProposedApi: true });
  }

  write(data: string, callback?: (err?: Error | null) => void): boolean {
    const failure = this.failNextWrite;
    this.failNextWrite = null;
    this.writes.push(data);
    if (failure) {
      queueMicrotask(() => callback?.(failure));
      return false;
    }
    this.term.write(data, () => callback?.(null));
    return true;
  }

  /** Resizes the emulator and tells the writer, as the kernel does with SIGWINCH. */
  resize(cols: number, rows: number): void {
    this.columns = cols;
    this.rows = rows;
    this.term.resize(cols, rows);
    this.emit("resize");
  }

  /** Waits until everything written so far has been parsed. */
  flush(): Promise<void> {
    return new Promise((resolve) => this.term.write("", resolve));
  }

  /** Each row as read on screen, trailing spaces kept. */
  screen(): string[] {
    return Array.from({ length: this.rows }, (_, y) => this.line(y)?.translateToString(false) ?? "");
  }

  /** Row y of the visible screen (after a resize, reflowed rows may sit in the scrollback above it). */
  private line(y: number) {
    const buffer = this.term.buffer.active;
    return buffer.getLine(buffer.baseY + y);
  }

  /** The row containing `text`, or -1. */
  rowOf(text: string): number {
    return this.screen().findIndex((l) => l.includes(text));
  }

  cell(x: number, y: number) {
    const cell = this.line(y)?.getCell(x);
    if (!cell) throw new Error(`no cell at ${x},${y}`);
    return cell;
  }

  /** Column of the last cell holding a character in row y (the right half of a wide one counts). */
  lastUsedColumn(y: number): number {
    for (let x = this.columns - 1; x >= 0; x--) {
      const c = this.cell(x, y);
      if (c.getWidth() === 0 || c.getChars().trim() !== "") return x;
    }
    return -1;
  }

  /** Text plus every cell's attributes, to compare two screens exactly. */
  snapshot(): string[] {
    const out: string[] = [];
    for (let y = 0; y < this.rows; y++) {
      const cells: string[] = [];
      for (let x = 0; x < this.columns; x++) {
        const c = this.cell(x, y);
        cells.push(
          `${c.getChars()}|${c.getWidth()}|${c.getFgColor()}|${c.getBgColor()}|${c.isBold()}|${c.isInverse()}|${c.isDim()}`,
        );
      }
      out.push(cells.join(" "));
    }
    return out;
  }
}
