import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { demoBanner } from "../../../src/runtime/demo/demo-banner.js";
import { DEMO_CODES } from "../../../src/runtime/demo/demo-list.js";
import { prepareDemo } from "../../../src/runtime/demo/demo-setup.js";
import { runTerminal } from "../../../src/runtime/terminal.js";
import { screenWidth } from "../../../src/runtime/text/measure.js";
import { XtermTty } from "../../ui-tty/xterm-tty.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function demo(locale: "zh-CN" | "en" = "zh-CN") {
  dir = mkdtempSync(join(tmpdir(), "quan-demo-test-"));
  return prepareDemo(join(dir, "a-rather-long-demo-directory-name"), NOW, { locale });
}

async function shownIn(cols: number, rows: number, text: string): Promise<string[]> {
  const tty = new XtermTty(cols, rows);
  await new Promise<void>((r) => tty.term.write(text.replace(/\n/g, "\r\n"), r));
  return tty.screen();
}

describe("the demo banner", () => {
  it.each([
    [40, 15, "zh-CN"],
    [80, 24, "en"],
    [100, 30, "zh-CN"],
  ] as const)("fits %sx%s (%s): no line wider, nothing scrolled away", async (cols, rows, locale) => {
    const d = demo(locale);
    const banner = demoBanner(d, d.config, { cols, rows });
    const lines = banner.trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(rows - 1);
    for (const line of lines) expect(screenWidth(line)).toBeLessThanOrEqual(cols);
    const screen = (await shownIn(cols, rows, banner)).join("\n");
    for (const c of DEMO_CODES) expect(screen).toContain(c.code);
    expect(screen).toContain("Quan 券");
    expect(screen).toContain("13800138000");
    expect(screen).toContain("PIN 0000");
    expect(screen).toContain("Press Enter to start.");
  });

  it("keeps the paths on a screen with room", () => {
    const d = demo();
    const banner = demoBanner(d, d.config, { cols: 100, rows: 30 });
    expect(banner).toContain(join(d.dir, "receipts"));
    expect(banner).toContain(join(d.dir, "quan.log"));
  });
});

describe("a demo run", () => {
  it("writes its log lines to the demo directory's quan.log", async () => {
    const d = demo();
    const stdin = new PassThrough();
    const tty = new XtermTty(80, 24);
    const done = runTerminal(d.config, {
      io: { env: {}, now: () => NOW },
      demo: d,
      input: stdin as unknown as NodeJS.ReadStream,
      output: tty as unknown as NodeJS.WriteStream,
    });
    const send = async (...reads: string[]) => {
      for (const read of reads) {
        stdin.write(read);
        await new Promise((r) => setTimeout(r, 30));
      }
    };
    await send("\r", "5", "0", "\r", "88000001\r", "\r");
    await new Promise((r) => setTimeout(r, 200)); // the receipt is written after the commit
    await send("\u0003");
    expect(await done).toBe(0);
    const records = readFileSync(join(d.dir, "quan.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; part?: string });
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(["printed", "terminal stopped"]));
  });
});
