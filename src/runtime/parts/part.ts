import type { InputSource } from "../../drivers/input/input-source.js";
import type { ReceiptPrinter } from "../../drivers/printer/printer.js";
import type { TerminalLedger } from "../bus/announcing-ledger.js";
import type { PartBus } from "../bus/terminal-events.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";

/**
 * The devices and the process around the terminal. `runTerminal` opens the real ones from the
 * config; a test hands in simulated ones (an in-memory printer, pushed input events, an emulator
 * as the screen).
 */
export interface TerminalDevices {
  /** The console: the screen is painted on `output`; `input` is the keyboard (and the demo's Enter). */
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  /** Null when `printer.kind` is none. */
  printer: ReceiptPrinter | null;
  /** Keypads and scanners; when absent the inputs part opens the ones the config names. */
  inputs?: InputSource[];
  env: NodeJS.ProcessEnv;
  /** Whether NTP has set the clock (clock trust carries it forward only then). */
  clockSynchronized(): boolean;
  /** SIGTERM/SIGINT come from here (the process); a test may hand in its own emitter. */
  signals: Pick<NodeJS.Process, "once" | "off">;
}

/** What every part is given: one object, the same shape for all. */
export interface PartContext {
  config: Config;
  /** A child logger named after the part. */
  log: Logger;
  /** The clock; parts never read Date.now() for what they record or show. */
  now: () => number;
  /** The bus as this part: its listeners are removed when it stops. */
  bus: PartBus;
  /** The store, announcing its commits on the bus. */
  ledger: TerminalLedger;
  devices: TerminalDevices;
}

/** A started part: stop() undoes start() (timers, listeners on devices, open files). */
export interface RunningPart {
  stop(): void | Promise<void>;
}

/**
 * A part of the terminal (display, inputs, printing, health, ...). `start` may throw: the
 * composition root logs it, reports it in health and runs on without the part.
 */
export interface Part {
  readonly name: string;
  start(ctx: PartContext): RunningPart | Promise<RunningPart>;
}
