import type { InputEvent, InputSource } from "./input-source.js";

/**
 * The console keyboard standing in for both the keypad and the scanner (`npm start`, and the
 * terminal's own tty1 where a USB keypad and a keyboard-wedge scanner type into the console).
 *
 * A scanner types a whole code in a few milliseconds, so its characters reach us in one read:
 * a chunk of at least MIN_SCAN_LENGTH characters ending with Enter is a scan. A person typing
 * produces one key per read. Letters typed one by one also open a scan (a code with letters can
 * only be a coupon), finished by Enter.
 */
export const MIN_SCAN_LENGTH = 4;

const KEYPAD_CHARS = new Set(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "+", "-", "*", "/"]);

export class ConsoleInput implements InputSource {
  private onInput: ((e: InputEvent) => void) | undefined;
  private typedScan: string | null = null;
  private readonly listener = (chunk: Buffer | string) =>
    this.feed(typeof chunk === "string" ? chunk : chunk.toString("utf8"));

  constructor(
    private readonly stream: NodeJS.ReadStream,
    private readonly onInterrupt: () => void,
  ) {}

  start(onInput: (event: InputEvent) => void): void {
    this.onInput = onInput;
    if (this.stream.isTTY) this.stream.setRawMode(true);
    this.stream.on("data", this.listener);
    this.stream.resume();
  }

  stop(): void {
    this.stream.off("data", this.listener);
    if (this.stream.isTTY) this.stream.setRawMode(false);
    this.stream.pause();
  }

  /** Exposed for tests: one read's worth of bytes. */
  feed(chunk: string): void {
    if (chunk.includes("\u0003")) {
      this.onInterrupt();
      return;
    }
    for (const event of parseChunk(chunk, this.typedScan)) {
      if (event.type === "scan-progress") this.typedScan = event.text;
      else {
        if (event.type === "scan") this.typedScan = null;
        this.onInput?.(event);
      }
    }
  }
}

type ParsedEvent = InputEvent | { type: "scan-progress"; text: string | null };

/** Pure: one read of console bytes -> events. `typedScan` is a letter-started code in progress. */
export function parseChunk(chunk: string, typedScan: string | null): ParsedEvent[] {
  const burst = /^([^\r\n]+)[\r\n]+$/.exec(chunk);
  if (
    burst &&
    typedScan === null &&
    (burst[1] as string).length >= MIN_SCAN_LENGTH &&
    !burst[1]?.includes("\u001b")
  ) {
    return [{ type: "scan", text: burst[1] as string }];
  }
  const events: ParsedEvent[] = [];
  let scan = typedScan;
  for (let i = 0; i < chunk.length; i++) {
    const ch = chunk[i] as string;
    if (ch === "\u001b") {
      const seq = escapeSequenceAt(chunk, i);
      i += seq.length - 1;
      if (seq === "\u001b") {
        if (scan !== null) scan = null;
        events.push({ type: "scan-progress", text: null }, { type: "key", key: "Escape" });
      }
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      if (scan !== null) {
        events.push({ type: "scan", text: scan });
        scan = null;
      } else events.push({ type: "key", key: "Enter" });
      continue;
    }
    if (ch === "\u007f" || ch === "\b") {
      if (scan !== null) {
        scan = scan.slice(0, -1);
        events.push({ type: "scan-progress", text: scan });
      } else events.push({ type: "key", key: "Backspace" });
      continue;
    }
    if (scan !== null) {
      scan += ch;
      events.push({ type: "scan-progress", text: scan });
    } else if (KEYPAD_CHARS.has(ch)) {
      events.push({ type: "key", key: ch });
    } else if (/[A-Za-z]/.test(ch)) {
      scan = ch;
      events.push({ type: "scan-progress", text: scan });
    }
  }
  return events;
}

const ESC = String.fromCharCode(0x1b);
const CSI_TAIL = /^(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/;

/** The escape sequence starting at `i` (arrow keys, function keys), or a lone ESC. */
function escapeSequenceAt(chunk: string, i: number): string {
  const tail = CSI_TAIL.exec(chunk.slice(i + 1))?.[0];
  return tail ? ESC + tail : ESC;
}
