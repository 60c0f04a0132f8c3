import { dirname, join } from "node:path";
import { announcingLedger, type TerminalLedger } from "./bus/announcing-ledger.js";
import { EventBus } from "./bus/event-bus.js";
import type { TerminalBus, TerminalEvents } from "./bus/terminal-events.js";
import { clockIsSynchronized } from "./clock/clock-sync.js";
import type { Config } from "./config/schema.js";
import { ListCompactor } from "./control/list-compactor.js";
import type { DemoSetup } from "./demo/demo-setup.js";
import { createLogger, type Logger } from "./log.js";
import { clockPart } from "./parts/clock.js";
import { clockTrustPart } from "./parts/clock-trust.js";
import { controlPart } from "./parts/control.js";
import { demoPart } from "./parts/demo.js";
import { demoServicesPart } from "./parts/demo-services.js";
import { displayPart } from "./parts/display.js";
import { flowPart } from "./parts/flow.js";
import { healthPart } from "./parts/health.js";
import { inputsPart } from "./parts/inputs.js";
import { linkPart } from "./parts/link.js";
import type { Part, PartContext, RunningPart, TerminalDevices } from "./parts/part.js";
import { openPrinter, printingPart } from "./parts/printing.js";
import { signalsPart } from "./parts/signals.js";
import { watchdogPart } from "./parts/watchdog.js";
import type { CouponStore } from "./store/coupon-store.js";
import { openStoreFromConfig } from "./store/store-from-config.js";

export interface TerminalIo {
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** Whether the clock is NTP-synchronised; the default asks systemd-timesyncd. */
  clockSynchronized?: () => boolean;
}

export interface TerminalOptions {
  io: TerminalIo;
  demo?: DemoSetup;
  /** Defaults to the process's own terminal. */
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /**
   * Simulated devices for a test; the rest are opened from the config. Not the clock's NTP state:
   * the store is its one authority (set it with `io.clockSynchronized`).
   */
  devices?: Partial<Omit<TerminalDevices, "clockSynchronized">>;
  /** More parts, started after the flow and the merchant link, before the inputs. */
  extraParts?: Part[];
  /** Defaults to a logger on stderr (a file in the demo, whose screen is this very terminal). */
  log?: Logger;
}

/**
 * The parts in start order; they stop in reverse. Health first, so it hears every failure; the
 * demo's banner before the display takes the screen; the flow before anything that feeds it;
 * the inputs last but for the watchdog, which says "ready" once everything else is up.
 */
function partsFor(config: Config, opts: TerminalOptions): Part[] {
  return [
    healthPart,
    ...(opts.demo?.services ? [demoServicesPart(opts.demo.services)] : []),
    ...(opts.demo ? [demoPart(opts.demo)] : []),
    displayPart,
    printingPart,
    flowPart,
    clockPart,
    clockTrustPart,
    controlPart,
    ...(config.link ? [linkPart()] : []),
    ...(opts.extraParts ?? []),
    inputsPart,
    signalsPart,
    watchdogPart,
  ];
}

export type PartState = "running" | "failed" | "stopped";

/**
 * The composition root: opens the store and the devices, builds one context per part and starts
 * the parts, each in its own try/catch (one that fails is logged and reported in health; the
 * terminal runs on where it can). The parts talk through the bus only. stop() stops them in
 * reverse, then closes the store.
 */
export class Terminal {
  readonly bus: TerminalBus;
  readonly ledger: TerminalLedger;
  private readonly running: { part: Part; handle: RunningPart }[] = [];
  private readonly states = new Map<string, PartState>();
  private readonly devices: TerminalDevices;
  private stopping: Promise<void> | null = null;
  private readonly compactor: ListCompactor;
  private resolveExit: (code: number) => void = () => undefined;
  /** Resolves with the exit code once the terminal has stopped. */
  readonly exited: Promise<number>;

  private constructor(
    private readonly config: Config,
    private readonly opts: TerminalOptions,
    private readonly log: Logger,
    private readonly store: CouponStore,
  ) {
    this.bus = new EventBus<TerminalEvents>(log.child({ part: "bus" }));
    this.compactor = new ListCompactor({ store, log: log.child({ part: "list-compactor" }) });
    this.ledger = announcingLedger(store, this.bus.owned("store"), this.compactor);
    this.exited = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
    this.devices = {
      input: opts.input ?? process.stdin,
      output: opts.output ?? process.stdout,
      printer:
        opts.devices && "printer" in opts.devices ? (opts.devices.printer ?? null) : openPrinter(config),
      env: opts.io.env,
      signals: process,
      ...opts.devices,
      clockSynchronized: () => store.clockSynchronized(),
    };
  }

  /** Opens the store (a terminal without its store cannot run: that one throws). */
  static open(config: Config, opts: TerminalOptions): Terminal {
    // In the demo the screen is this very terminal, so logs go to a file instead of stderr.
    const log =
      opts.log ?? createLogger(config.log.level, opts.demo ? join(dirname(config.dataDir), "quan.log") : 2);
    const synchronized = opts.io.clockSynchronized ?? (() => clockIsSynchronized());
    const store = openStoreFromConfig(config, log.child({ part: "store" }), "write", synchronized);
    return new Terminal(config, opts, log, store);
  }

  /** Where each part stands, in start order. */
  partStates(): { name: string; state: PartState }[] {
    return [...this.states].map(([name, state]) => ({ name, state }));
  }

  async start(): Promise<void> {
    this.bus.on("terminal", "stop.requested", ({ code, reason }) => {
      this.log.info({ reason }, "stop requested");
      void this.stop(code);
    });
    for (const part of partsFor(this.config, this.opts)) {
      if (this.stopping) return;
      const ctx = this.contextFor(part.name);
      try {
        const handle = await part.start(ctx);
        if (this.stopping) {
          // Stop was asked for while this part was starting (Ctrl-C at the demo banner).
          await handle.stop();
          this.bus.removeOwner(part.name);
          return;
        }
        this.running.push({ part, handle });
        this.states.set(part.name, "running");
        this.bus.emit("part.started", { part: part.name });
      } catch (err) {
        // Its listeners go with it: a half-started part must not keep reacting.
        this.bus.removeOwner(part.name);
        this.states.set(part.name, "failed");
        ctx.log.error({ err }, "part failed to start; the terminal runs on without it");
        this.bus.emit("part.failed", {
          part: part.name,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    this.log.info({ parts: this.partStates() }, "terminal started");
  }

  /** Stops every running part in reverse start order, then closes the store. Idempotent. */
  stop(code = 0): Promise<void> {
    this.stopping ??= this.stopAll(code);
    return this.stopping;
  }

  private async stopAll(code: number): Promise<void> {
    for (const { part, handle } of this.running.reverse()) {
      try {
        await handle.stop();
      } catch (err) {
        this.log.child({ part: part.name }).error({ err }, "part failed to stop cleanly");
      }
      this.bus.removeOwner(part.name);
      this.states.set(part.name, "stopped");
      this.bus.emit("part.stopped", { part: part.name });
    }
    this.running.length = 0;
    this.bus.removeOwner("terminal");
    await this.compactor.stop();
    try {
      this.store.close();
    } catch (err) {
      this.log.error({ err }, "the store did not close cleanly");
    }
    this.log.info("terminal stopped");
    this.resolveExit(code);
  }

  private contextFor(name: string): PartContext {
    return {
      config: this.config,
      log: this.log.child({ part: name }),
      now: this.opts.io.now,
      bus: this.bus.owned(name),
      ledger: this.ledger,
      devices: this.devices,
    };
  }
}

/** `quan start`: runs the terminal until it is stopped (Ctrl-C, SIGTERM); resolves with the exit code. */
export async function runTerminal(config: Config, opts: TerminalOptions): Promise<number> {
  const terminal = Terminal.open(config, opts);
  try {
    await terminal.start();
  } catch (err) {
    await terminal.stop(1);
    throw err;
  }
  return terminal.exited;
}
