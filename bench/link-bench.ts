import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import mqtt from "mqtt";
import { startEmbeddedBroker } from "../src/broker/embedded-broker.js";
import { preparePublication, rememberList } from "../src/merchant/list-publishing.js";
import { merchantConfigSchema } from "../src/merchant/merchant-config.js";
import { MerchantService } from "../src/merchant/merchant-service.js";
import { signDocument } from "../src/protocol/envelope/index.js";
import { silentLogger } from "../src/runtime/log.js";
import { benchCode, bigList } from "./fixture.js";
import type { Scoreboard } from "./scoreboard.js";
import type { Workspace } from "./workspace.js";

/*
 * The merchant link as a shop feels it, every part real: the embedded broker and the merchant
 * service (SQLite, durable commits) in this process, the terminal in its own (bench/link-child.ts).
 *  - 10,000 redemptions made offline, delivered and acknowledged after the broker comes up,
 *    against a raw MQTT.js QoS 1 publish loop of as many messages of the same size, 50 in flight
 *    like the outbox, to the same broker (target: at least half its rate);
 *  - a list update of 1,000 codes (a delta) from publish to in force;
 *  - a full list of `codes` codes arriving in chunks and put in force while the terminal scans
 *    every 2 ms: time, the terminal's peak RSS, the longest gap between scans.
 */

const QUEUED = Number(process.env.QUAN_BENCH_QUEUED ?? 10_000);
const MERCHANT = "m-bench";

class Child {
  private readonly waiting: { re: RegExp; resolve: (l: string) => void }[] = [];
  private readonly early: string[] = [];
  constructor(readonly process: ChildProcess) {
    createInterface({ input: process.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const i = this.waiting.findIndex((w) => w.re.test(line));
      if (i >= 0) this.waiting.splice(i, 1)[0]?.resolve(line);
      else this.early.push(line);
    });
  }
  line(re: RegExp): Promise<string> {
    const i = this.early.findIndex((l) => re.test(l));
    if (i >= 0) return Promise.resolve(this.early.splice(i, 1)[0] as string);
    return new Promise((resolve) => this.waiting.push({ re, resolve }));
  }
  send(cmd: string): void {
    this.process.stdin?.write(`${cmd}\n`);
  }
  async status(): Promise<{
    unsent: number | null;
    listVersion: number | null;
    maxGapMs: number;
    maxRssMB: number;
    cpuMs: number;
  }> {
    this.send("status");
    return JSON.parse((await this.line(/^status /)).slice(7));
  }
}

async function until<T>(probe: () => Promise<T>, done: (t: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error("link bench: timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runLinkBench(
  ws: Workspace,
  codes: number,
  board: Scoreboard,
  say: (l: string) => void,
): Promise<void> {
  const root = join(ws.root, "link");
  mkdirSync(root, { recursive: true });
  const keyFile = join(root, "merchant.key");
  writeFileSync(keyFile, ws.keys.privateKeyPem);
  // The baseline first, on a broker of its own with nothing else connected.
  const broker0 = await startEmbeddedBroker({ port: 0 });
  const port = broker0.port;
  const rawMs = await rawQoS1Loop(broker0.url, QUEUED, 1300);
  await broker0.stop();

  // The terminal, holding a list of QUEUED codes, trades them all while the broker is down.
  const small = bigList(QUEUED * 2, 1);
  const listFile = join(root, "list.json");
  writeFileSync(listFile, JSON.stringify(signDocument(JSON.stringify(small), ws.keys.privateKeyPem)));
  const configFile = join(root, "terminal.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      terminal: { id: "T1", store: "S001", storeName: "Bench", cashier: "bench" },
      merchant: { id: MERCHANT, publicKey: ws.keys.publicKey },
      dataDir: join(root, "terminal"),
      printer: { kind: "none" },
      display: { kind: "none" },
      input: { kind: "none" },
      log: { level: "warn" },
      link: {
        url: `mqtt://127.0.0.1:${port}`,
        keepaliveSeconds: 10,
        ...(process.env.QUAN_BENCH_WINDOW ? { window: Number(process.env.QUAN_BENCH_WINDOW) } : {}),
      },
    }),
  );
  const child = new Child(
    spawn(process.execPath, [join(import.meta.dirname, "link-child.js"), configFile, listFile], {
      stdio: ["pipe", "pipe", "inherit"],
    }),
  );
  try {
    await child.line(/^READY$/);
    const sold: string[] = [];
    for (let i = 0; sold.length < QUEUED && i < QUEUED * 2; i++) {
      const code = benchCode(i);
      if (i % 5 === 2 || i % 5 === 3) continue; // ￥100 threshold (the bill is ￥50) and the ended campaign
      sold.push(code);
      child.send(`redeem ${code}`);
    }
    for (let i = 0; i < sold.length; i++) await child.line(/^(committed|refused) /);
    const queued = (await child.status()).unsent ?? 0;
    say(`${queued.toLocaleString("en")} redemptions queued while the broker was down`);

    const broker = await startEmbeddedBroker({ port });
    try {
      const merchant = await MerchantService.open({
        config: merchantConfigSchema.parse({
          merchant: { id: MERCHANT, privateKeyFile: keyFile },
          dataDir: join(root, "merchant"),
          broker: { url: broker.url },
          log: { level: "silent" },
        }),
        log: silentLogger(),
      });
      const cpuBefore = (await child.status()).cpuMs;
      const mineBefore = process.cpuUsage();
      const t0 = performance.now();
      await merchant.start();
      const done = await until(
        () => child.status(),
        (s) => s.unsent === 0,
        300_000,
      );
      const linkMs = performance.now() - t0;
      const mine = process.cpuUsage(mineBefore);
      say(
        `CPU during delivery: terminal ${done.cpuMs - cpuBefore} ms, broker + merchant ${Math.round((mine.user + mine.system) / 1000)} ms, over ${Math.round(linkMs)} ms; ${merchant.batches} merchant commits`,
      );
      board.record({
        what: `deliver and get acks for ${queued.toLocaleString("en")} queued redemptions`,
        value: linkMs,
        unit: "ms",
        limit: rawMs * 2,
        targetText: ">= 0.5x the raw loop's rate",
        baseline: { label: `raw MQTT.js QoS 1 loop, ${QUEUED.toLocaleString("en")} msgs`, value: rawMs },
        note: `${merchant.books.record.recordCount().toLocaleString("en")} held by the merchant`,
      });

      // A 1,000-code delta, publish to in force (baseline: a 1-code delta, the fixed cost).
      const publish = async (input: unknown, delta: boolean) => {
        const p = preparePublication(merchant.books.record, input, {
          merchant: MERCHANT,
          store: null,
          delta,
          privateKeyPem: ws.keys.privateKeyPem,
          now: Date.now(),
        });
        rememberList(merchant.books.record, p, input);
        const t = performance.now();
        await merchant.publishList(p);
        await until(
          () => child.status(),
          (s) => s.listVersion === p.list.version,
          600_000,
        );
        return performance.now() - t;
      };
      const v2 = { ...small, version: 2 };
      await publish(v2, false);
      const oneMs = await publish(
        { ...small, version: 3, codes: [...small.codes, { code: "D0000001", campaign: "cash10" }] },
        true,
      );
      const added = Array.from({ length: 1000 }, (_, i) => ({
        code: `D${String(i + 2).padStart(7, "0")}`,
        campaign: "cash10",
      }));
      const thousandMs = await publish(
        { ...small, version: 4, codes: [...small.codes, { code: "D0000001", campaign: "cash10" }, ...added] },
        true,
      );
      board.record({
        what: "a 1,000-code list update (delta), publish to in force",
        value: thousandMs,
        unit: "ms",
        baseline: { label: "a 1-code delta", value: oneMs },
      });

      // A full list of `codes` codes in chunks, applied live while the terminal scans.
      child.send(`scan ${benchCode(0)}`);
      await child.line(/^scanning$/);
      await new Promise((r) => setTimeout(r, 2000));
      const before = await child.status();
      const big = bigList(codes, 5);
      const fullMs = await publish({ ...big, merchant: MERCHANT }, false);
      const after = await child.status();
      board.record({
        what: `a ${codes.toLocaleString("en")}-code list in chunks, publish to in force`,
        value: fullMs,
        unit: "ms",
      });
      board.record({
        what: "terminal peak RSS through that list's arrival",
        value: after.maxRssMB,
        unit: "MB",
        limit: 250,
        baseline: { label: "before it", value: before.maxRssMB },
      });
      board.record({
        what: "longest gap between scans (every 2 ms) while it arrives and is swapped in",
        value: after.maxGapMs,
        unit: "ms",
        limit: 50,
        baseline: { label: "before it", value: before.maxGapMs },
      });
      await merchant.stop();
    } finally {
      await broker.stop();
    }
  } finally {
    child.process.kill("SIGKILL");
  }
}

/** The baseline: MQTT.js alone, QoS 1, 50 in flight, until a subscriber has every message. */
async function rawQoS1Loop(url: string, count: number, bytes: number): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: "bench-sub", clean: false, reconnectPeriod: 0 });
  await sub.subscribeAsync("bench/raw", { qos: 1 });
  let got = 0;
  const all = new Promise<void>((resolve) =>
    sub.on("message", () => {
      got += 1;
      if (got === count) resolve();
    }),
  );
  const pub = await mqtt.connectAsync(url, { clientId: "bench-pub", reconnectPeriod: 0 });
  const payload = Buffer.alloc(bytes, 0x61);
  const t0 = performance.now();
  for (let i = 0; i < count; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, () =>
        pub.publishAsync("bench/raw", payload, { qos: 1 }),
      ),
    );
  await all;
  const ms = performance.now() - t0;
  await pub.endAsync();
  await sub.endAsync();
  return ms;
}
