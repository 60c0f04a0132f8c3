import { join } from "node:path";
import type { Config } from "../config/schema.js";
import { wrapForScreen } from "../text/wrap.js";
import { DEMO_CODES, DEMO_MEMBER_PHONE } from "./demo-list.js";
import { DEMO_MANAGER_PIN, type DemoSetup } from "./demo-setup.js";

export interface BannerSize {
  cols: number;
  rows: number;
}

/** A part of the banner; when the window is too short, the highest `drop` goes first. */
interface Part {
  drop: number;
  lines: string[];
}

/**
 * What a newcomer needs before the screen takes over: the codes to try and the keys, fitted to
 * the window so nothing scrolls away: every line within `cols` columns (CJK counted double), at
 * most `rows - 1` lines (the cursor waits on the last). The codes, the member phone, the manager
 * PIN and "Press Enter" are kept on the smallest screen; the paths and blank lines go first.
 */
export function demoBanner(
  demo: DemoSetup,
  config: Config,
  size: BannerSize = { cols: 80, rows: 24 },
): string {
  const zh = config.locale === "zh-CN";
  const cols = Math.max(20, size.cols);
  const text = (drop: number, line: string, indent = 2): Part => ({
    drop,
    lines: wrapForScreen(line, cols - indent).map((l) => " ".repeat(indent) + l),
  });
  const blank = (drop: number): Part => ({ drop, lines: [""] });
  const parts: Part[] = [
    text(0, `Quan 券 — demo terminal (${config.terminal.storeName})`),
    blank(9),
    text(0, "Demo coupon codes / 演示券码:"),
    ...DEMO_CODES.map((c) => text(0, `${c.code}  ${zh ? c.what.zh : c.what.en}`, 4)),
    blank(9),
    text(4, "Keys: digits and . = bill amount · Enter = confirm"),
    text(3, "type or paste a code + Enter = scan · / = type a code"),
    text(1, `+ = member (phone ${DEMO_MEMBER_PHONE})`),
    text(1, `* = menu (manager PIN ${DEMO_MANAGER_PIN})`),
    text(2, "- or Esc = cancel · Backspace = delete · Ctrl-C = quit"),
    text(6, `Receipts: ${join(demo.dir, "receipts")} (.bin = ESC/POS, .txt = readable)`),
    text(7, `Data: ${config.dataDir} (npm start -- --fresh starts over)`),
    text(5, `Logs: ${join(demo.dir, "quan.log")}`),
    blank(9),
    text(0, "Press Enter to start."),
  ];
  const room = Math.max(1, size.rows - 1);
  const count = () => parts.reduce((n, p) => n + p.lines.length, 0);
  while (count() > room) {
    const worst = parts.reduce((w, p, i) => ((parts[w]?.drop ?? 0) >= p.drop ? w : i), 0);
    if ((parts[worst]?.drop ?? 0) === 0) break; // only the essentials left: let the top scroll, not the codes
    parts.splice(worst, 1);
  }
  return `${parts.flatMap((p) => p.lines).join("\n")}\n`;
}

export function printDemoBanner(out: NodeJS.WriteStream, demo: DemoSetup, config: Config): void {
  out.write(demoBanner(demo, config, { cols: out.columns || 80, rows: out.rows || 24 }));
}
export function waitForEnter(input: NodeJS.ReadStream): Promise<void> {
  return new Promise((resolve) => {
    if (input.isTTY) input.setRawMode(true);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      if (text.includes("\r") || text.includes("\n") || text.includes("\u0003")) {
        input.off("data", onData);
        input.pause();
        resolve();
      }
    };
    input.on("data", onData);
    input.resume();
  });
}
