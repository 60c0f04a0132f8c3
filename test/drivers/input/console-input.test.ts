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

  it("letters typed by hand open a code that Enter finishes", () => {
    expect(feed(["A", "B", "C", "\u007f", "D", "-", "1", "\r"])).toEqual([{ type: "scan", text: "ABD-1" }]);
  });

  it("Escape cancels a code being typed; arrow keys are ignored", () => {
    expect(feed(["A", "B", "\u001b", "\u001b[A", "7"])).toEqual([
      { type: "key", key: "Escape" },
      { type: "key", key: "7" },
    ]);
  });

  it("Ctrl-C stops the terminal", () => {
    expect(feed(["\u0003"])).toEqual([{ type: "key", key: "INTERRUPT" }]);
  });

  it("short bursts stay keys (a fast typist is not a scanner)", () => {
    expect(parseChunk("12\r", null)).toEqual([
      { type: "key", key: "1" },
      { type: "key", key: "2" },
      { type: "key", key: "Enter" },
    ]);
  });
});
