import type { InputEvent } from "../../drivers/input/input-source.js";
import type { RedeemEntry, VoidEntry } from "../../protocol/journal/index.js";
import type { PrintJob } from "../flow/effects.js";
import type { HealthReport } from "../flow/events.js";
import type { FlowView } from "../flow/view.js";
import type { DayClose } from "../store/ledger-port.js";
import type { EventBus, OwnedBus } from "./event-bus.js";

/** The terminal's health as the parts reported it: every field known (the ledger's own is read from it). */
export type TerminalHealth = Required<HealthReport>;

/**
 * Every event on the terminal's bus, by name. The ledger's announcements come first: they are what
 * the merchant link (next issue) carries, each sent only after the record is on disk.
 */
export interface TerminalEvents {
  /** A redemption is committed (on disk). */
  "redemption.committed": { entry: RedeemEntry };
  /** A void is committed (on disk). */
  "void.committed": { entry: VoidEntry };
  /** The books were closed (Z), durably. */
  "day.closed": DayClose;
  /** A new coupon list is verified, stored and in force. */
  "list.applied": { version: number; codes: number };
  /** The health part's picture changed (printer, network, unsent, faulty parts). */
  "health.changed": TerminalHealth;

  /** A part tells the health part what it knows (the printer its status; the link network and unsent). */
  "health.report": HealthReport;
  /** A key, a scan or typing from any input device. */
  input: InputEvent;
  /** The clock part's beat; drives timeouts and the clock on screen. */
  tick: { now: number };
  /** What the screen should show now. */
  "view.changed": { view: FlowView };
  /** The rejection buzzer. */
  bell: Record<string, never>;
  /** The flow asks for a slip; the printing part answers with print.finished and the same id. */
  "print.requested": { id: number; job: PrintJob };
  "print.finished": { id: number; ok: true } | { id: number; ok: false; error: string };
  /** A part could not start (the terminal runs on without it) or stopped working. */
  "part.failed": { part: string; error: string };
  "part.started": { part: string };
  "part.stopped": { part: string };
  /** Someone (Ctrl-C, SIGTERM) asks the terminal to stop with this exit code. */
  "stop.requested": { code: number; reason: string };
}

export type TerminalBus = EventBus<TerminalEvents>;
export type PartBus = OwnedBus<TerminalEvents>;
