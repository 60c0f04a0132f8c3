import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { describe } from "vitest";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/broker/embedded-broker.js";
import { SimulatedInput } from "../../src/drivers/input/simulated-input.js";
import { SimulatedPrinter } from "../../src/drivers/printer/simulated-printer.js";
import { merchantConfigSchema } from "../../src/merchant/merchant-config.js";
import { MerchantService } from "../../src/merchant/merchant-service.js";
import { SqliteRecord } from "../../src/merchant/record/sqlite-record.js";
import { signDocument } from "../../src/protocol/envelope/index.js";
import type { TerminalHealth } from "../../src/runtime/bus/terminal-events.js";
import { demoCodes, demoList } from "../../src/runtime/demo/demo-list.js";
import { type DemoSetup, prepareDemo } from "../../src/runtime/demo/demo-setup.js";
import { createLogger, silentLogger } from "../../src/runtime/log.js";
import { Terminal } from "../../src/runtime/terminal.js";
import { XtermTty } from "../ui-tty/xterm-tty.js";
import { journalRecords } from "./journal-files.js";
import { Mosquitto } from "./mosquitto.js";
import { describeWithTool } from "./system-tool.js";

/**
 * A shop on one machine, every part real: the embedded broker on a loopback port, the merchant
 * service with its SQLite record, and terminals assembled in-process by the composition root
 * with simulated keypad, scanner and printer, each with its own data directory, all trading the
 * demo list signed by one merchant key.
 */

const REPO = join(import.meta.dirname, "../..");

export const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await settle(20);
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export interface RigTerminal {
  terminal: Terminal;
  input: SimulatedInput;
  health: () => TerminalHealth | null;
  screen: () => Promise<string>;
  journal: () => ReturnType<typeof journalRecords>;
  sale: (code: string, amount?: string) => Promise<void>;
  dataDir: string;
  stop: () => Promise<void>;
}

export type BrokerKind = { kind: "embedded" } | { kind: "mosquitto"; bin: string };

const RIG_TERMINALS = ["T1", "T2", "T3"];

export class ShopRig {
  readonly root = mkdtempSync(join(tmpdir(), "quan-shop-"));
  broker: EmbeddedBroker | null = null;
  private mosquitto: Mosquitto | null = null;
  merchant: MerchantService | null = null;
  port = 0;
  private readonly terminals: RigTerminal[] = [];
  private demo: DemoSetup;

  constructor(
    readonly brokerKind: BrokerKind = { kind: "embedded" },
    readonly now: () => number = Date.now,
  ) {
    this.demo = prepareDemo(join(this.root, "demo"), now(), { locale: "en" });
  }

  get url(): string {
    return `${this.brokerKind.kind === "mosquitto" ? "mqtts" : "mqtt"}://127.0.0.1:${this.port}`;
  }

  /** With Mosquitto: the CA to trust and the user's password file (user = terminal id, or merchant-<id>). */
  credentials(user: string): { tls?: { ca: string }; passwordFile?: string } {
    if (this.brokerKind.kind !== "mosquitto") return {};
    this.prepareMosquitto(this.brokerKind.bin);
    const file = join(this.root, "secrets", user);
    mkdirSync(join(this.root, "secrets"), { recursive: true });
    writeFileSync(file, `pw-${user}\n`);
    return { tls: { ca: join(this.root, "mosquitto", "ca.crt") }, passwordFile: file };
  }

  async startBroker(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    if (this.brokerKind.kind === "embedded") {
      this.broker = await startEmbeddedBroker({ port: this.port });
      return;
    }
    await this.prepareMosquitto(this.brokerKind.bin).start();
  }

  /** Certificates, users and ACL are made once; the broker itself starts and stops. */
  private prepareMosquitto(bin: string): Mosquitto {
    if (!this.mosquitto) {
      const merchantUser = `merchant-${this.demo.config.merchant.id}`;
      const users = Object.fromEntries([merchantUser, ...RIG_TERMINALS].map((u) => [u, `pw-${u}`]));
      this.mosquitto = new Mosquitto(
        join(this.root, "mosquitto"),
        this.port,
        users,
        { id: this.demo.config.merchant.id, user: merchantUser },
        bin,
      );
    }
    return this.mosquitto;
  }

  async stopBroker(): Promise<void> {
    await this.broker?.stop();
    this.broker = null;
    await this.mosquitto?.stop();
  }

  async startMerchant(): Promise<MerchantService> {
    if (this.port === 0) this.port = await freePort();
    const config = merchantConfigSchema.parse({
      merchant: {
        id: this.demo.config.merchant.id,
        privateKeyFile: join(this.demo.dir, "demo-merchant.key"),
      },
      dataDir: join(this.root, "merchant"),
      broker: { url: this.url, ...this.credentials(`merchant-${this.demo.config.merchant.id}`) },
      log: { level: "silent" },
    });
    this.merchant = await MerchantService.open({
      config,
      log: process.env.QUAN_RIG_LOG ? createLogger("debug", 2) : silentLogger(),
    });
    await this.merchant.start();
    return this.merchant;
  }

  async stopMerchant(): Promise<void> {
    await this.merchant?.stop();
    this.merchant = null;
  }

  /** The demo list plus `n` ￥10 vouchers C0000001..., signed by the demo key (a day's trading needs codes). */
  manyCodes(n: number): string[] {
    const codes = Array.from({ length: n }, (_, i) => `C${String(i + 1).padStart(7, "0")}`);
    const list = demoList(this.now(), 1000, {
      codes: [...demoCodes(), ...codes.map((code) => ({ code, campaign: "cash10" }))],
    });
    this.demo = {
      ...this.demo,
      signedList: JSON.stringify(signDocument(JSON.stringify(list), readFileSync(this.keyFile, "utf8"))),
    };
    return codes;
  }

  get keyFile(): string {
    return join(this.demo.dir, "demo-merchant.key");
  }

  /** The merchant service in a process of its own (`quan merchant serve`), to SIGKILL. */
  spawnMerchant(): ChildProcess {
    const file = this.merchantConfigFile();
    const child = spawn(
      process.execPath,
      [join(REPO, "bin/quan.js"), "merchant", "serve", "--config", file],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    this.children.push(child);
    return child;
  }

  /** The merchant service's config file (what `quan merchant ...` takes). */
  merchantConfigFile(): string {
    const file = join(this.root, "merchant.json");
    writeFileSync(
      file,
      JSON.stringify({
        merchant: { id: this.demo.config.merchant.id, privateKeyFile: this.keyFile },
        dataDir: join(this.root, "merchant"),
        broker: { url: this.url, ...this.credentials(`merchant-${this.demo.config.merchant.id}`) },
        log: { level: "warn" },
      }),
    );
    return file;
  }

  /** Reads the merchant's record from disk (the service may be another process, or dead). */
  async merchantRecordIds(): Promise<string[]> {
    const record = await SqliteRecord.open(join(this.root, "merchant", "merchant.sqlite"));
    try {
      const ids: string[] = [];
      record.eachRecord((r) => ids.push(r.id));
      return ids.sort();
    } finally {
      record.close();
    }
  }

  /** A headless terminal with the link in a process of its own (bench/link-child.ts), to SIGKILL. */
  async spawnTerminal(id: string, brokerUrl?: string): Promise<ChildTerminal> {
    if (this.port === 0) this.port = await freePort();
    const url = brokerUrl ?? this.url;
    const dataDir = join(this.root, id);
    mkdirSync(dataDir, { recursive: true });
    const configFile = join(this.root, `${id}.json`);
    const listFile = join(this.root, "list.json");
    writeFileSync(listFile, this.demo.signedList);
    writeFileSync(configFile, JSON.stringify(this.terminalConfig(id, "S001", dataDir, url)));
    const child = spawn(process.execPath, [join(REPO, "dist/bench/link-child.js"), configFile, listFile], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.children.push(child);
    const t = new ChildTerminal(child, dataDir);
    await t.line(/^READY$/);
    return t;
  }

  private readonly children: ChildProcess[] = [];

  private terminalConfig(id: string, store: string, dataDir: string, url = this.url) {
    return {
      ...this.demo.config,
      terminal: { ...this.demo.config.terminal, id, store },
      dataDir,
      printer: { kind: "none" as const },
      log: { level: "warn" as const },
      link: {
        url,
        ...this.credentials(id),
        base: "quan/v1",
        protocolVersion: 4 as const,
        maxPacketBytes: 128 * 1024,
        keepaliveSeconds: 5,
        healthIntervalSeconds: 60,
        window: 50,
        offline: { maxListAgeHours: null },
      },
    };
  }

  async startTerminal(id: string, store = "S001", brokerUrl?: string): Promise<RigTerminal> {
    if (this.port === 0) this.port = await freePort();
    const url = brokerUrl ?? this.url;
    const dataDir = join(this.root, id);
    mkdirSync(dataDir, { recursive: true });
    const config = {
      ...this.demo.config,
      terminal: { ...this.demo.config.terminal, id, store },
      dataDir,
      printer: { kind: "none" as const },
      link: this.terminalConfig(id, store, dataDir, url).link,
    };
    const tty = new XtermTty(60, 20);
    const input = new SimulatedInput();
    const terminal = Terminal.open(config, {
      io: { env: {}, now: this.now, clockSynchronized: () => true },
      input: new PassThrough() as unknown as NodeJS.ReadStream,
      output: tty as unknown as NodeJS.WriteStream,
      devices: { printer: new SimulatedPrinter(), inputs: [input], signals: new EventEmitter() as never },
      log: process.env.QUAN_RIG_LOG ? createLogger("debug", 2) : silentLogger(),
    });
    if (terminal.ledger.index() === null) terminal.ledger.importList(this.demo.signedList, this.now());
    let health: TerminalHealth | null = null;
    terminal.bus.on("rig", "health.changed", (h) => {
      health = h;
    });
    await terminal.start();
    const rig: RigTerminal = {
      terminal,
      input,
      dataDir,
      health: () => health,
      screen: async () => {
        await new Promise<void>((r) => tty.term.write("", r));
        return tty.screen().join("\n");
      },
      journal: () => journalRecords(dataDir),
      sale: async (code, amount = "50") => {
        input.keys(amount, "Enter");
        input.scan(code);
        input.keys("Enter");
        await settle(50);
        input.keys("Escape");
        await settle(10);
      },
      stop: async () => {
        await terminal.stop();
        this.terminals.splice(this.terminals.indexOf(rig), 1);
      },
    };
    this.terminals.push(rig);
    return rig;
  }

  /** Every redemption and void the merchant holds, by id. */
  merchantIds(): string[] {
    const ids: string[] = [];
    this.merchant?.books.record.eachRecord((r) => ids.push(r.id));
    return ids.sort();
  }

  async close(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    for (const t of [...this.terminals]) await t.stop();
    await this.stopMerchant();
    await this.stopBroker();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A terminal process driven over its stdin (bench/link-child.ts). */
export class ChildTerminal {
  private readonly lines: string[] = [];
  private readonly waiters: { re: RegExp; resolve: (line: string) => void }[] = [];

  constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const i = this.waiters.findIndex((w) => w.re.test(line));
      if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(line);
      else this.lines.push(line);
    });
  }

  line(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const i = this.lines.findIndex((l) => re.test(l));
    if (i >= 0) return Promise.resolve(this.lines.splice(i, 1)[0] as string);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${re}`)), timeoutMs);
      this.waiters.push({
        re,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  send(command: string): void {
    this.child.stdin?.write(`${command}\n`);
  }

  async redeem(code: string): Promise<string> {
    this.send(`redeem ${code}`);
    return this.line(/^(committed|refused) /);
  }

  async status(): Promise<{ network: string; unsent: number | null; conflicts: number }> {
    this.send("status");
    return JSON.parse((await this.line(/^status /)).slice(7));
  }

  async kill(): Promise<void> {
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGKILL");
    await exited;
  }

  journal(): ReturnType<typeof journalRecords> {
    return journalRecords(this.dataDir);
  }
}

/**
 * Runs a suite against the embedded broker, and against Mosquitto with TLS, passwords and the
 * generated ACL when it is installed (skipped with the reason otherwise; a failure under CI).
 */
export function describeOnBrokers(title: string, body: (broker: BrokerKind) => void): void {
  describe(`${title} (embedded broker)`, () => body({ kind: "embedded" }));
  describeWithTool(
    "mosquitto",
    "the MQTT broker with TLS and ACLs",
    `${title} (Mosquitto: TLS, passwords, ACL)`,
    (bin) => body({ kind: "mosquitto", bin }),
  );
}
