import type { Logger } from "../../runtime/log.js";
import { hasControlBytes } from "../scanner/scan-line.js";
import type { InputEvent, InputSource } from "./input-source.js";

/**
 * The console keyboard standing in for both the keypad and the scanner (`npm start`, and the
 * terminal's own tty1 where a USB keypad and a keyboard-wedge scanner type into the console).
 *
 * A person produces one key per read; a scanner (or a paste) types a whole code in a few
 * milliseconds, so its characters reach us in one read: a burst. Scanned text is untrusted (it is
 * whatever the QR code holds), so a burst is only ever scans: every CR/LF in it ends a scan and is
 * never the cashier's Enter, and a scan carrying any other control byte (Ctrl-C, ESC, ...) is
 * refused whole and logged, never acted on. Letters typed one by one open a code, finished by
 * Enter. Ctrl-C stops the terminal only when it arrives alone.
 */
export const MIN_SCAN_LENGTH = 4;

const KEYPAD_CHARS = new Set(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "+", "-", "*", "/"]);
const INTERRUPT = "\u0003";
const ESC = String.fromCharCode(0x1b);
/** A fast typist's few digits and Enter in one read are keys, not a scan (no code is that short). */
const FAST_KEYS = new RegExp(`^[0-9.]{1,${MIN_SCAN_LENGTH - 1}}(\\r\\n|\\r|\\n)$`);
const LINE_END = /\r\n|\r|\n/;

export class ConsoleInput implements InputSource {
  private onInput: ((e: InputEvent) => void) | undefined;
  private typedScan: string | null = null;
  private readonly listener = (chunk: Buffer | string) =>
    this.feed(typeof chunk === "string" ? chunk : chunk.toString("utf8"));

  constructor(
    private readonly stream: NodeJS.ReadStream,
    private readonly onInterrupt: () => void,
    private readonly log?: Pick<Logger, "warn">,
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
    for (const event of parseChunk(chunk, this.typedScan)) {
      switch (event.type) {
        case "interrupt":
          this.onInterrupt();
          return;
        case "bad-scan":
          // JSON-quoted and cut: the bytes are hostile and must not reach the technician's terminal raw.
          this.log?.warn(
            { scan: JSON.stringify(event.text.slice(0, 80)) },
            "scan with control bytes refused",
          );
          break;
        case "typing":
          this.typedScan = event.text;
          this.onInput?.(event);
          break;
        case "scan":
          this.typedScan = null;
          this.onInput?.(event);
          break;
        default:
          this.onInput?.(event);
      }
    }
  }
}

export type ParsedEvent = InputEvent | { type: "interrupt" } | { type: "bad-scan"; text: string };

/** Pure: one read of console bytes -> events. `typedScan` is a letter-started code in progress. */
export function parseChunk(chunk: string, typedScan: string | null): ParsedEvent[] {
  if (chunk !== "" && [...chunk].every((ch) => ch === INTERRUPT)) return [{ type: "interrupt" }];
  return isBurst(chunk) ? burstEvents(chunk, typedScan) : keyEvents(chunk, typedScan);
}

/**
 * A read that only a machine produces: text with a line end in it, or text with control bytes
 * in it (other than the escape sequences of arrow and function keys and Backspace).
 */
function isBurst(chunk: string): boolean {
  if (chunk.length < 2 || FAST_KEYS.test(chunk)) return false;
  if (/[\r\n]/.test(chunk)) return /[^\r\n]/.test(chunk);
  let rest = "";
  for (let i = 0; i < chunk.length; i++) {
    const seq = chunk[i] === ESC ? escapeSequenceAt(chunk, i) : "";
    if (seq.length > 1) i += seq.length - 1;
    else rest += chunk[i];
  }
  return hasControlBytes(rest.replace(/[\u007f\b]/g, ""));
}

/** Each line of a burst is one scan; a line with control bytes is a bad scan. Never a key. */
function burstEvents(chunk: string, typedScan: string | null): ParsedEvent[] {
  // A scan arriving while a code is typed by hand is a scan of its own; the typed code is dropped.
  const events: ParsedEvent[] = typedScan === null ? [] : [{ type: "typing", text: null }];
  for (const text of chunk.split(LINE_END)) {
    if (text === "") continue;
    events.push(hasControlBytes(text) ? { type: "bad-scan", text } : { type: "scan", text });
  }
  return events;
}

function keyEvents(chunk: string, typedScan: string | null): ParsedEvent[] {
  const events: ParsedEvent[] = [];
  let scan = typedScan;
  for (let i = 0; i < chunk.length; i++) {
    const ch = chunk[i] as string;
    if (ch === ESC) {
      const seq = escapeSequenceAt(chunk, i);
      i += seq.length - 1;
      if (seq !== ESC) continue;
      // Escape drops a code being typed; with none, it is the cancel key.
      if (scan !== null) {
        scan = null;
        events.push({ type: "typing", text: null });
      } else events.push({ type: "key", key: "Escape" });
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      if (ch === "\n" && chunk[i - 1] === "\r") continue; // CRLF is one Enter
      if (scan !== null) {
        events.push({ type: "scan", text: scan });
        scan = null;
      } else events.push({ type: "key", key: "Enter" });
      continue;
    }
    if (ch === "\u007f" || ch === "\b") {
      if (scan !== null) {
        scan = scan.slice(0, -1);
        events.push({ type: "typing", text: scan });
      } else events.push({ type: "key", key: "Backspace" });
      continue;
    }
    if (scan !== null) {
      if (hasControlBytes(ch)) continue;
      scan += ch;
      events.push({ type: "typing", text: scan });
    } else if (KEYPAD_CHARS.has(ch)) {
      events.push({ type: "key", key: ch });
    } else if (/[A-Za-z]/.test(ch)) {
      scan = ch;
      events.push({ type: "typing", text: scan });
    }
  }
  return events;
}

const CSI_TAIL = /^(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/;

/** The escape sequence starting at `i` (arrow keys, function keys), or a lone ESC. */
function escapeSequenceAt(chunk: string, i: number): string {
  const tail = CSI_TAIL.exec(chunk.slice(i + 1))?.[0];
  return tail ? ESC + tail : ESC;
}
