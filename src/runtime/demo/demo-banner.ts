import { join } from "node:path";
import type { Config } from "../config/schema.js";
import { DEMO_CODES, DEMO_MEMBER_PHONE } from "./demo-list.js";
import { DEMO_MANAGER_PIN, type DemoSetup } from "./demo-setup.js";

/** What a newcomer needs before the screen takes over: the codes to try and the keys. */
export function demoBanner(demo: DemoSetup, config: Config): string {
  const zh = config.locale === "zh-CN";
  const codes = DEMO_CODES.map((c) => `    ${c.code}   ${zh ? c.what.zh : c.what.en}`).join("\n");
  return `
  Quan 券 — demo terminal (${config.terminal.storeName})

  Demo coupon codes / 演示券码:
${codes}

  Keys: digits and . = bill amount · Enter = confirm · type or paste a code + Enter = scan
        / = type a code · + = member (phone ${DEMO_MEMBER_PHONE}) · * = menu (manager PIN ${DEMO_MANAGER_PIN})
        - or Esc = cancel · Backspace = delete · Ctrl-C = quit
  Receipts: ${join(demo.dir, "receipts")}   (.bin = ESC/POS bytes, .txt = readable)
  Data:     ${config.dataDir}   (npm start -- --fresh starts over)

  Press Enter to start.
`;
}

export function printDemoBanner(out: NodeJS.WritableStream, demo: DemoSetup, config: Config): void {
  out.write(demoBanner(demo, config));
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
