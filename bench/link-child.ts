import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { PassThrough, Writable } from "node:stream";
import { SimulatedInput } from "../src/drivers/input/simulated-input.js";
import { configSchema } from "../src/runtime/config/schema.js";
import { createLogger } from "../src/runtime/log.js";
import { Terminal } from "../src/runtime/terminal.js";

/**
 * A headless terminal with the merchant link, in a process of its own so a test can SIGKILL it
 * (and a bench can time it). Its config is a file; it is driven over stdin, one command a line:
 *   redeem CODE [AMOUNT_MINOR]   redeem one code, answer "committed <id>" (or "refused <reason>")
 *   status                       answer "status {json}" (network, unsent, conflicts, list version,
 *                                the longest gap between scans, peak RSS)
 *   scan CODE                    from now on, check CODE every 2 ms (a cashier scanning without pause)
 * and prints "READY" once started. Logs go to stderr.
 */
const [configFile, listFile] = process.argv.slice(2);
if (!configFile) throw new Error("usage: link-child CONFIG.json [SIGNED-LIST.json]");
const config = configSchema.parse(JSON.parse(readFileSync(configFile, "utf8")));
const log = createLogger(config.log.level, 2);
const terminal = Terminal.open(config, {
  io: { env: {}, now: Date.now, clockSynchronized: () => true },
  input: new PassThrough() as unknown as NodeJS.ReadStream,
  output: new Writable({ write: (_c, _e, done) => done() }) as unknown as NodeJS.WriteStream,
  devices: { printer: null, inputs: [new SimulatedInput()], signals: new EventEmitter() as never },
  log,
});
if (listFile && terminal.ledger.index() === null)
  terminal.ledger.importList(readFileSync(listFile), Date.now());
let maxGapMs = 0;
let health = { network: "unknown", unsent: null as number | null, conflicts: 0 };
terminal.bus.on("child", "health.changed", (h) => {
  health = { network: h.network, unsent: h.unsent, conflicts: h.conflicts };
});
await terminal.start();
process.stdout.write("READY\n");

for await (const line of createInterface({ input: process.stdin })) {
  const [command, code, amount] = line.trim().split(/\s+/);
  if (command === "redeem" && code) {
    const result = terminal.ledger.redeem(
      { amount: Number(amount ?? 5000), coupons: [{ code }] },
      Date.now(),
      config.terminal.cashier,
    );
    const first = result.verdict.lines[0];
    process.stdout.write(
      result.committed
        ? `committed ${result.entry.id}\n`
        : `refused ${first && !first.ok ? first.reason : "?"}\n`,
    );
  } else if (command === "status") {
    const listVersion = terminal.ledger.listHead()?.version ?? null;
    const maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
    const cpu = process.cpuUsage();
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    process.stdout.write(`status ${JSON.stringify({ ...health, listVersion, maxGapMs, maxRssMB, cpuMs })}\n`);
  } else if (command === "scan" && code) {
    let last = performance.now();
    setInterval(() => {
      terminal.ledger.check({ amount: 5000, coupons: [{ code }] }, Date.now());
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
    }, 2);
    process.stdout.write("scanning\n");
  } else {
    process.stdout.write(`unknown ${command}\n`);
  }
}
await terminal.stop();
