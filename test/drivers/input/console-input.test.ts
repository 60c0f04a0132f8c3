import { describe, expect, it } from "vitest";
import { ConsoleInput, parseChunk } from "../../../src/drivers/input/console-input.js";
import type { InputEvent } from "../../../src/drivers/input/input-source.js";

function feed(chunks: string[]): InputEvent[] {
  const events: InputEvent[] = [];
  const input = new ConsoleInput(process.stdin, () => events.push({ type: "key", key: "INTERRUPT" }));
  (input as unknown as { onInput: (e: InputEvent) => void }).onInput = (e) => events.push(e);
  for (const c of chunks) input.feed(c);
  return events;
}

describe("console keyboard as keypad and scanner", () => {
  it("a person's keys arrive one by one", () => {
    expect(feed(["1", "2", ".", "5", "\u007f", "\r"])).toEqual([
      { type: "key", key: "1" },
      { type: "key", key: "2" },
      { type: "key", key: "." },
      { type: "key", key: "5" },
      { type: "key", key: "Backspace" },
      { type: "key", key: "Enter" },
    ]);
  });

  it("a scanner's burst ending with Enter is one scan, digits included", () => {
    expect(feed(["88000001\r"])).toEqual([{ type: "scan", text: "88000001" }]);
    expect(feed(["DYN-A*123456\r\n"])).toEqual([{ type: "scan", text: "DYN-A*123456" }]);
  });

  it("letters typed by hand open a code that Enter finishes, shown as it is typed", () => {
    const events = feed(["A", "B", "C", "\u007f", "D", "-", "1", "\r"]);
    expect(events.filter((e) => e.type === "typing").map((e) => e.type === "typing" && e.text)).toEqual([
      "A",
      "AB",
      "ABC",
      "AB",
      "ABD",
      "ABD-",
      "ABD-1",
    ]);
    expect(events.at(-1)).toEqual({ type: "scan", text: "ABD-1" });
  });

  it("Escape drops a code being typed (and only that); arrow keys are ignored", () => {
    expect(feed(["A", "B", "\u001b", "\u001b[A", "7", "\u001b"]).filter((e) => e.type !== "typing")).toEqual([
      { type: "key", key: "7" },
      { type: "key", key: "Escape" },
    ]);
  });

  it("Ctrl-C stops the terminal", () => {
    expect(feed(["\u0003"])).toEqual([{ type: "key", key: "INTERRUPT" }]);
  });

  it("a CR/LF inside a burst ends a scan and is never the cashier's Enter", () => {
    expect(feed(["X\r1\rS000123\r\r"])).toEqual([
      { type: "scan", text: "X" },
      { type: "scan", text: "1" },
      { type: "scan", text: "S000123" },
    ]);
    expect(parseChunk("88000001\r\n\r\n", null)).toEqual([{ type: "scan", text: "88000001" }]);
  });

  it("a scan with Ctrl-C or ESC in it is a bad scan: it neither stops the terminal nor cancels", () => {
    expect(feed(["8800\u00030001\r"])).toEqual([]);
    expect(feed(["8800\u001b0001\r"])).toEqual([]);
    expect(feed(["88000001\u001b"])).toEqual([]);
    expect(parseChunk("AB\u0003CD\r", null)).toEqual([{ type: "bad-scan", text: "AB\u0003CD" }]);
    expect(parseChunk("66000001\r\u0003", null)).toEqual([
      { type: "scan", text: "66000001" },
      { type: "bad-scan", text: "\u0003" },
    ]);
  });

  it("a bad scan is logged, quoted", () => {
    const warnings: unknown[] = [];
    const input = new ConsoleInput(process.stdin, () => {}, {
      warn: (obj: unknown) => warnings.push(obj),
    } as never);
    input.feed("A\u001b[2J\r");
    expect(warnings).toEqual([{ scan: JSON.stringify("A\u001b[2J") }]);
  });

  it("a lone Ctrl-C still stops the terminal, also while a code is typed", () => {
    expect(feed(["A", "\u0003"]).at(-1)).toEqual({ type: "key", key: "INTERRUPT" });
    expect(feed(["\u0003\u0003"])).toEqual([{ type: "key", key: "INTERRUPT" }]);
  });

  it("a scanner's burst while a code is typed by hand is its own scan", () => {
    expect(feed(["A", "B", "88000001\r"]).slice(-2)).toEqual([
      { type: "typing", text: null },
      { type: "scan", text: "88000001" },
    ]);
  });

  it("short bursts stay keys (a fast typist is not a scanner)", () => {
    expect(parseChunk("12\r", null)).toEqual([
      { type: "key", key: "1" },
      { type: "key", key: "2" },
      { type: "key", key: "Enter" },
    ]);
  });
});
