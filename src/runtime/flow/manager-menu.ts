import type { RedeemEntry, VoidEntry } from "../../protocol/journal/index.js";
import { type LastRedemption, type LedgerPort, ManagerPinError, VoidError } from "../store/ledger-port.js";
import { startOfLocalDay } from "./business-day.js";
import type { PrintJob } from "./effects.js";
import type { KeyAction } from "./keymap.js";
import type { DoneMode, Mode } from "./mode.js";
import { PinPrompt } from "./pin-prompt.js";
import { errorText } from "./sale.js";
import { type Presentation, receiptView } from "./verdict-view.js";
import type { NoticeCode, ReceiptView } from "./view.js";

/** What the menu needs from the state machine that owns it. */
export interface MenuHost {
  readonly ledger: LedgerPort;
  readonly cashier: string;
  mode: Mode;
  /** The instant of the event being handled. */
  now(): number;
  timezone(): string;
  presentation(): Presentation;
  refuse(code: NoticeCode, params?: Record<string, string>): void;
  goIdle(): void;
  /** Shows `done` and prints `job`; the screen follows the print until it ends. */
  showPrint(done: DoneMode, job: PrintJob): void;
}

/**
 * The manager's menu: void the newest redemption, reprint the last slip, X and Z reports, the
 * last Z again. Policy only (which action is allowed when, what the PIN guards); the ledger
 * enforces the PIN lockout and the void window, the state machine owns the screens.
 */
export class ManagerMenu {
  constructor(private readonly host: MenuHost) {}

  key(action: KeyAction, now: number): void {
    const host = this.host;
    if (action.type === "cancel" || action.type === "menu") {
      host.goIdle();
      return;
    }
    if (action.type !== "digit") return;
    switch (action.value) {
      case 1:
        this.startVoid(now);
        return;
      case 2:
        this.reprint(now);
        return;
      case 3: {
        const job = { kind: "report", report: "X", from: this.periodStart(now), to: now } as const;
        host.showPrint({ name: "done", what: "report_X", print: "printing", since: now }, job);
        return;
      }
      case 4:
        if (this.refuseWhileLocked(now)) return;
        host.mode = {
          name: "z_pin",
          prompt: new PinPrompt(),
          from: this.periodStart(now),
          no: (host.ledger.lastDayClose()?.no ?? 0) + 1,
        };
        return;
      case 5:
        this.reprintLastZ(now);
        return;
      default:
        return;
    }
  }

  /** A key on a PIN prompt (void or Z). */
  pinKey(prompt: PinPrompt, action: KeyAction, now: number): void {
    const host = this.host;
    const outcome = prompt.key(action);
    if (outcome?.type === "cancel") host.goIdle();
    else if (outcome?.type === "menu") host.mode = { name: "menu" };
    else if (outcome?.type === "submit") {
      const mode = host.mode;
      if (outcome.pin === "") {
        const left = host.ledger.pinLock(now).attemptsLeft;
        host.refuse("void_bad_pin", { left: String(left) });
      } else if (mode.name === "void_pin") this.voidLast(mode.target, outcome.pin, now);
      else if (mode.name === "z_pin") this.closeDay(mode.from, outcome.pin, now);
    }
  }

  /** A report covers everything since the last Z closed the books (the store's midnight before any Z). */
  private periodStart(now: number): number {
    return this.host.ledger.lastDayClose()?.to ?? startOfLocalDay(now, this.host.timezone());
  }

  /** The menu voids the terminal's newest redemption only, once: a voided one is not walked past. */
  private startVoid(now: number): void {
    const last = this.host.ledger.lastRedemption();
    if (!last) this.host.refuse("nothing_to_void");
    else if (last.voidEntry) this.host.refuse("void_already_voided");
    else if (!this.refuseWhileLocked(now))
      this.host.mode = { name: "void_pin", prompt: new PinPrompt(), target: last.entry };
  }

  /** True (and says so) while wrong PINs keep manager actions locked. */
  private refuseWhileLocked(now: number): boolean {
    const { lockedUntil } = this.host.ledger.pinLock(now);
    if (lockedUntil === null) return false;
    this.host.refuse("void_locked", { minutes: String(Math.ceil((lockedUntil - now) / 60_000)) });
    return true;
  }

  /** The last slip again, as a copy: the redemption, or its void slip once it was voided. */
  private reprint(now: number): void {
    const last = this.host.ledger.lastRedemption();
    if (!last) {
      this.host.refuse("nothing_to_reprint");
      return;
    }
    this.host.showPrint(
      { name: "done", what: "reprinted", receipt: this.receiptOf(last), print: "printing", since: now },
      last.voidEntry
        ? { kind: "void", entry: last.voidEntry, original: last.entry, reprint: true }
        : { kind: "redemption", entry: last.entry, reprint: true },
    );
  }

  private reprintLastZ(now: number): void {
    const close = this.host.ledger.lastDayClose();
    // A close from before Z numbers has no period to print again.
    if (!close || close.no === 0) {
      this.host.refuse("nothing_to_reprint");
      return;
    }
    this.host.showPrint(
      { name: "done", what: "reprinted_Z", zNo: close.no, print: "printing", since: now },
      { kind: "report", report: "Z", no: close.no, from: close.from, to: close.to, reprint: true },
    );
  }

  private receiptOf(last: LastRedemption): ReceiptView {
    const receipt = receiptView(last.entry, this.host.ledger.index(), this.host.presentation());
    if (last.voidEntry) receipt.voided = true;
    return receipt;
  }

  private voidLast(target: RedeemEntry, pin: string, now: number): void {
    let entry: VoidEntry;
    try {
      entry = this.host.ledger.voidLastRedemption(target.id, now, this.host.cashier, pin);
    } catch (err) {
      this.managerActionRefused(err, "void");
      return;
    }
    this.host.showPrint(
      {
        name: "done",
        what: "voided",
        receipt: this.receiptOf({ entry: target, voidEntry: entry }),
        print: "printing",
        since: now,
      },
      { kind: "void", entry, original: target },
    );
  }

  /** Z: the books close (numbered, durable) once the manager PIN is right; then the report prints. */
  private closeDay(from: number, pin: string, now: number): void {
    let close: ReturnType<LedgerPort["closeDay"]>;
    try {
      close = this.host.ledger.closeDay(from, now, pin);
    } catch (err) {
      this.managerActionRefused(err, "close");
      return;
    }
    this.host.showPrint(
      { name: "done", what: "report_Z", zNo: close.no, print: "printing", since: now },
      { kind: "report", report: "Z", no: close.no, from: close.from, to: close.to },
    );
  }

  /** A wrong PIN keeps the prompt (attempts left); the one that locks, or any other refusal, leaves it. */
  private managerActionRefused(err: unknown, what: "void" | "close"): void {
    const host = this.host;
    if (err instanceof ManagerPinError) {
      if (err.reason === "bad_pin" && err.lockedUntil === null) {
        host.refuse("void_bad_pin", { left: String(err.attemptsLeft) });
      } else if (err.reason === "bad_pin") {
        host.goIdle();
        host.refuse("void_too_many_attempts");
      } else if (err.reason === "locked") {
        host.mode = { name: "menu" };
        const now = host.now();
        host.refuse("void_locked", {
          minutes: String(Math.ceil(((err.lockedUntil ?? now) - now) / 60_000)),
        });
      } else {
        host.mode = { name: "menu" };
        host.refuse("pin_not_set");
      }
      return;
    }
    host.mode = { name: "menu" };
    if (err instanceof VoidError) host.refuse(`void_${err.reason}`);
    else host.refuse(what === "void" ? "void_failed" : "close_failed", { detail: errorText(err) });
  }
}
