import { EventEmitter } from "node:events";
import { ConsoleInput } from "../src/drivers/input/console-input.js";
import { RedemptionFlow } from "../src/runtime/flow/flow.js";
import { isPhysicalKey } from "../src/runtime/flow/keymap.js";
import type { CouponStore } from "../src/runtime/store/coupon-store.js";
import { renderScreen } from "../src/ui-tty/screens/render.js";
import { TtyWriter } from "../src/ui-tty/tty-writer.js";
import { benchCode } from "./fixture.js";
import type { Scoreboard } from "./scoreboard.js";
import { fmt, summarize } from "./stats.js";

/** A terminal output that records when the last write happened (80x24, like an HDMI console). */
class TimedSink extends EventEmitter {
  columns = 80;
  rows = 24;
  lastWriteAt = 0n;
  bytes = 0;
  write(data: string): boolean {
    this.bytes += data.length;
    this.lastWriteAt = process.hrtime.bigint();
    return true;
  }
}

/**
 * Scan to screen: from the moment the scanner's last byte (Enter) is read to the moment the verdict
 * screen has been written to the terminal, through the real input parser, flow, store (with the big
 * list loaded), screens and writer. Baseline in the same run: a raw Map lookup plus writing a
 * screenful of the same size.
 */
export function runScanToScreenBench(store: CouponStore, codes: number, board: Scoreboard) {
  const sink = new TimedSink();
  const writer = new TtyWriter(sink, {
    color: true,
    onError: (err) => {
      throw err;
    },
  });
  let now = Date.parse("2026-03-04T04:00:00Z");
  const flow = new RedemptionFlow(
    {
      ledger: store,
      effects: { print: () => undefined, bell: () => writer.bell() },
      storeName: "Bench",
      locale: "zh-CN",
      cashier: "b",
    },
    now,
  );
  flow.onChange(() => writer.paint(renderScreen(flow.view, { ...writer.size(), locale: "zh-CN" })));
  const input = new ConsoleInput(process.stdin, () => undefined);
  (input as unknown as { onInput: unknown }).onInput = (e: { type: string; key?: string; text?: string }) => {
    if (e.type === "scan") flow.handle({ type: "scan", text: e.text as string }, now);
    else if (e.key && isPhysicalKey(e.key)) flow.handle({ type: "key", key: e.key }, now);
  };

  const n = 5000;
  const quan = new Float64Array(n);
  const base = new Float64Array(n);
  const raw = new Map<string, number>();
  for (let i = 0; i < Math.min(codes, 100_000); i++) raw.set(benchCode(i), i);
  const screenful = "x".repeat(80 * 24);
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < n; i++) {
      now += 2000;
      input.feed("1");
      input.feed("0");
      input.feed("0");
      input.feed("\r");
      const code = benchCode((i * 7919 + round) % codes);
      const t0 = process.hrtime.bigint();
      input.feed(`${code}\r`);
      quan[i] = Number(sink.lastWriteAt - t0);
      // Cancelling a sale that has a coupon takes a second press (a stray key must not drop it).
      input.feed("-");
      input.feed("-");
      const t1 = process.hrtime.bigint();
      const hit = raw.get(code);
      sink.write(`${screenful}${hit ?? ""}`);
      base[i] = Number(sink.lastWriteAt - t1);
    }
  }
  const q = summarize(quan);
  const b = summarize(base);
  board.record({
    what: "scan to verdict screen, p99",
    value: q.p99,
    unit: "µs",
    baseline: { label: "Map.get + writing a screenful", value: b.p99 },
    note: `p50 ${fmt(q.p50)} vs ${fmt(b.p50)}`,
  });
}
