import stringWidth from "string-width";
import { expect } from "vitest";

/** Assertions on a receipt's rendered lines, in the terms of a person reading the paper. */

export function expectNoLineWiderThan(lines: readonly string[], width: number): void {
  const tooWide = lines.filter((line) => stringWidth(line) > width);
  expect(tooWide, `lines wider than ${width} columns`).toEqual([]);
}

/** The line that starts with `label` shows `value` flush against the right edge of the paper. */
export function expectRightAligned(
  lines: readonly string[],
  label: string,
  value: string,
  width: number,
): void {
  const line = lines.find((l) => l.trimStart().startsWith(label) && l.endsWith(value));
  expect(line, `a line "${label} ... ${value}"`).toBeDefined();
  expect(stringWidth(line ?? "")).toBe(width);
}

/** The text of a wrapped paragraph: the line starting with `start` and the lines after it up to `stop`. */
export function paragraph(
  lines: readonly string[],
  start: string,
  stop: (line: string) => boolean,
  joiner = "",
): string {
  const from = lines.findIndex((l) => l.trimStart().startsWith(start));
  expect(from, `a line starting with "${start}"`).toBeGreaterThanOrEqual(0);
  const parts = [lines[from] ?? ""];
  for (const line of lines.slice(from + 1)) {
    if (line.trim() === "" || stop(line)) break;
    parts.push(line.trim());
  }
  return parts.map((p) => p.trim()).join(joiner);
}
