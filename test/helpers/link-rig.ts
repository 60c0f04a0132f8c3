import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/broker/embedded-broker.js";
import { SimulatedInput } from "../../src/drivers/input/simulated-input.js";
import { SimulatedPrinter } from "../../src/drivers/printer/simulated-printer.js";
import { merchantConfigSchema } from "../../src/merchant/merchant-config.js";
import { MerchantService } from "../../src/merchant/merchant-service.js";
import type { TerminalHealth } from "../../src/runtime/bus/terminal-events.js";
import { type DemoSetup, prepareDemo } from "../../src/runtime/demo/demo-setup.js";
import { silentLogger } from "../../src/runtime/log.js";
import { Terminal } from "../../src/runtime/terminal.js";
import { XtermTty } from "../ui-tty/xterm-tty.js";
import { journalRecords } from "./journal-files.js";

/**
 * A shop on one machine, every part real: the embedded broker on a loopback port, the merchant
 * service with its SQLite record, and terminals assembled in-process by the composition root
 * with simulated keypad, scanner and printer, each with its own data directory, all trading the
 * demo list signed by one merchant key.
 */

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

export class ShopRig {
  readonly root = mkdtempSync(join(tmpdir(), "quan-shop-"));
  broker: EmbeddedBroker | null = null;
  merchant: MerchantService | null = null;
  port = 0;
  private readonly terminals: RigTerminal[] = [];
  private demo: DemoSetup;

  constructor(readonly now: () => number = Date.now) {
    this.demo = prepareDemo(join(this.root, "demo"), now(), { locale: "en" });
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async startBroker(persistent = true): Promise<EmbeddedBroker> {
    if (this.port === 0) this.port = await freePort();
    this.broker = await startEmbeddedBroker({
      dataDir: persistent ? join(this.root, "broker") : null,
      port: this.port,
    });
    return this.broker;
  }

  async stopBroker(): Promise<void> {
    await this.broker?.stop();
    this.broker = null;
  }

  async startMerchant(): Promise<MerchantService> {
    if (this.port === 0) this.port = await freePort();
    const config = merchantConfigSchema.parse({
      merchant: {
        id: this.demo.config.merchant.id,
        privateKeyFile: join(this.demo.dir, "demo-merchant.key"),
      },
      dataDir: join(this.root, "merchant"),
      broker: { url: this.url },
      log: { level: "silent" },
    });
    this.merchant = await MerchantService.open({ config, log: silentLogger() });
    await this.merchant.start();
    return this.merchant;
  }

  async stopMerchant(): Promise<void> {
    await this.merchant?.stop();
    this.merchant = null;
  }

  async startTerminal(id: string, store = "S001"): Promise<RigTerminal> {
    if (this.port === 0) this.port = await freePort();
    const dataDir = join(this.root, id);
    mkdirSync(dataDir, { recursive: true });
    const config = {
      ...this.demo.config,
      terminal: { ...this.demo.config.terminal, id, store },
      dataDir,
      printer: { kind: "none" as const },
      link: {
        url: this.url,
        base: "quan/v1",
        protocolVersion: 4 as const,
        maxPacketBytes: 128 * 1024,
        keepaliveSeconds: 5,
        healthIntervalSeconds: 60,
        window: 50,
      },
    };
    const tty = new XtermTty(60, 20);
    const input = new SimulatedInput();
    const terminal = Terminal.open(config, {
      io: { env: {}, now: this.now, clockSynchronized: () => true },
      input: new PassThrough() as unknown as NodeJS.ReadStream,
      output: tty as unknown as NodeJS.WriteStream,
      devices: { printer: new SimulatedPrinter(), inputs: [input], signals: new EventEmitter() as never },
      log: silentLogger(),
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
    for (const t of [...this.terminals]) await t.stop();
    await this.stopMerchant();
    await this.stopBroker();
    rmSync(this.root, { recursive: true, force: true });
  }
}
