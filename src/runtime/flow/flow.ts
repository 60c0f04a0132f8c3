import type { RedeemEntry, VoidEntry } from "../../protocol/journal/index.js";
import type { Locale } from "../engine/labels.js";
import { currencyDecimals, formatMoney, MAX_BILL_MINOR } from "../money.js";
import { type LastRedemption, type LedgerPort, ManagerPinError, VoidError } from "../store/ledger-port.js";
import { formatLocalDateTime } from "../time/zoned.js";
import { startOfLocalDay } from "./business-day.js";
import type { FlowEffects } from "./effects.js";
import type { FlowEvent, HealthReport } from "./events.js";
import { actionFor, type KeyAction, type Keymap, resolveKeymap } from "./keymap.js";
import { PinPrompt } from "./pin-prompt.js";
import { type PrintState, PrintTracker } from "./print-tracker.js";
import { errorText, isAmountBurst, parseCouponOrRefuse, Sale, type SaleContext } from "./sale.js";
import { couponLineView, type Presentation, receiptView } from "./verdict-view.js";
import type { DoneWhat, FlowView, HealthView, Notice, NoticeCode, ReceiptView } from "./view.js";

export interface FlowOptions {
  ledger: LedgerPort;
  effects: FlowEffects;
  storeName: string;
  locale: Locale;
  /** Cashier id recorded with each redemption and void. */
  cashier: string;
  /** Until a coupon list is in force; then the list's currency is used. */
  currency?: string;
  /** Until a coupon list is in force; then the list's timezone is used. */
  timezone?: string;
  /** Physical key -> action overrides (the config's `flow.keymap`). */
  keymap?: Readonly<Record<string, string>>;
  /** Back to idle after this long without a key or scan, dropping an uncommitted sale. */
  inactivityMs?: number;
  /** An identical scan within this window is the scanner firing twice and is ignored. */
  doubleScanMs?: number;
  /** How long APPROVED (and other results) stay before idle. */
  resultMs?: number;
  /** How long a message stays when nothing else happens. */
  noticeMs?: number;
  /** Largest bill that can be typed, minor units. */
  maxAmount?: number;
}

interface FlowSettings {
  inactivityMs: number;
  doubleScanMs: number;
  resultMs: number;
  noticeMs: number;
  maxAmount: number;
}

export const FLOW_DEFAULTS: Readonly<FlowSettings> = {
  inactivityMs: 60_000,
  doubleScanMs: 1500,
  resultMs: 5000,
  noticeMs: 10_000,
  maxAmount: MAX_BILL_MINOR,
};

type Mode =
  | { name: "idle" }
  | { name: "sale"; sale: Sale }
  | { name: "approved"; receipt: ReceiptView; since: number }
  | { name: "menu" }
  | { name: "void_pin"; prompt: PinPrompt; target: RedeemEntry }
  | { name: "z_pin"; prompt: PinPrompt; from: number; no: number }
  | {
      name: "done";
      what: DoneWhat;
      receipt?: ReceiptView;
      zNo?: number;
      print: PrintState;
      since: number;
    };

/**
 * The redemption flow: a state machine driven by keys, scans, health reports and the clock. It owns
 * no device; it reads and commits through the ledger and asks for prints and the buzzer through
 * `effects`. Time comes only from the `now` given with each event.
 */
export class RedemptionFlow {
  private mode: Mode = { name: "idle" };
  private now: number;
  private lastInputAt: number;
  private lastScan: { text: string; at: number } | null = null;
  private notice: Notice | null = null;
  private typing: string | null = null;
  private noticeAt = 0;
  private health: Pick<HealthView, "printer" | "network" | "unsent"> = {
    printer: "unknown",
    network: "unknown",
    unsent: null,
  };
  private readonly keymap: Keymap;
  private readonly settings: FlowSettings;
  private readonly listeners = new Set<(view: FlowView) => void>();
  private currentView: FlowView;
  private currentJson: string;
  private readonly saleContext: SaleContext;
  private readonly printer: PrintTracker;

  constructor(
    private readonly opts: FlowOptions,
    now: number,
  ) {
    this.now = now;
    this.lastInputAt = now;
    this.keymap = resolveKeymap(opts.keymap);
    this.printer = new PrintTracker(opts.effects, () => this.publish());
    this.settings = {
      inactivityMs: opts.inactivityMs ?? FLOW_DEFAULTS.inactivityMs,
      doubleScanMs: opts.doubleScanMs ?? FLOW_DEFAULTS.doubleScanMs,
      resultMs: opts.resultMs ?? FLOW_DEFAULTS.resultMs,
      noticeMs: opts.noticeMs ?? FLOW_DEFAULTS.noticeMs,
      maxAmount: opts.maxAmount ?? FLOW_DEFAULTS.maxAmount,
    };
    this.saleContext = {
      ledger: opts.ledger,
      decimals: () => currencyDecimals(this.currency()),
      maxAmount: this.settings.maxAmount,
      money: (minor) => formatMoney(minor, this.currency()),
      refuse: (code, params) => this.refuse(code, params),
      inform: (code, params) => this.say(code, "info", params),
    };
    this.currentView = this.buildView();
    this.currentJson = JSON.stringify(this.currentView);
  }

  /** What the screens show now. */
  get view(): FlowView {
    return this.currentView;
  }

  /** Called after every change of the view; returns the unsubscribe function. */
  onChange(listener: (view: FlowView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  handle(event: FlowEvent, now: number): void {
    this.now = now;
    switch (event.type) {
      case "tick":
        this.tick(now);
        break;
      case "health":
        this.report(event);
        break;
      case "key": {
        const action = actionFor(this.keymap, event.key);
        if (!action) break;
        this.touch(now);
        this.key(action, now);
        break;
      }
      case "typing":
        this.touch(now);
        this.typing = event.text;
        break;
      case "scan":
        this.typing = null;
        if (this.isDoubleScan(event.text, now)) break;
        this.touch(now);
        this.scan(event.text, now);
        break;
    }
    this.publish();
  }

  private report(health: HealthReport): void {
    if (health.printer !== undefined) this.health.printer = health.printer;
    if (health.network !== undefined) this.health.network = health.network;
    if (health.unsent !== undefined) this.health.unsent = health.unsent;
  }

  // ---- input ---------------------------------------------------------------------------

  private touch(now: number): void {
    this.lastInputAt = now;
    this.notice = null;
  }

  private isDoubleScan(text: string, now: number): boolean {
    const last = this.lastScan;
    if (last && last.text === text && now - last.at < this.settings.doubleScanMs) return true;
    this.lastScan = { text, at: now };
    return false;
  }

  private key(action: KeyAction, now: number): void {
    // A scanner fires twice with no key in between; after a key, the same code again is deliberate.
    this.lastScan = null;
    const mode = this.mode;
    switch (mode.name) {
      case "idle":
        this.idleKey(action, now);
        return;
      case "sale":
        this.saleKey(mode.sale, action, now);
        return;
      case "approved":
      case "done":
        // Any key leaves the result; one that starts something also does it, so no key is lost.
        this.goIdle();
        if (action.type !== "confirm" && action.type !== "cancel" && action.type !== "backspace")
          this.idleKey(action, now);
        return;
      case "menu":
        this.menuKey(action, now);
        return;
      case "void_pin":
      case "z_pin":
        this.pinKey(mode.prompt, action, now);
        return;
    }
  }

  private scan(text: string, now: number): void {
    const mode = this.mode;
    if (mode.name === "void_pin" || mode.name === "z_pin") {
      this.refuse("finish_sale_first");
      return;
    }
    if (mode.name === "sale" || (mode.name !== "menu" && isAmountBurst(text))) {
      (mode.name === "sale" ? mode.sale : this.startSale()).scan(text, now);
      return;
    }
    const coupon = parseCouponOrRefuse(text, this.saleContext);
    if (!coupon) return;
    this.startSale().addCoupon(coupon, now);
  }

  private idleKey(action: KeyAction, now: number): void {
    switch (action.type) {
      case "digit":
      case "dot":
      case "manual":
      case "member":
        this.saleKey(this.startSale(), action, now);
        return;
      case "menu":
        this.mode = { name: "menu" };
        return;
      case "cancel":
        this.printer.dismiss();
        return;
      default:
        return;
    }
  }

  private startSale(): Sale {
    const sale = new Sale(this.saleContext);
    this.mode = { name: "sale", sale };
    return sale;
  }

  private saleKey(sale: Sale, action: KeyAction, now: number): void {
    const outcome = sale.key(action, now);
    if (outcome === "cancel") {
      this.goIdle();
      this.say("cancelled", "info");
    } else if (outcome === "commit") this.commit(sale, now);
  }

  // ---- committing ----------------------------------------------------------------------

  private commit(sale: Sale, now: number): void {
    if (sale.coupons.length === 0) {
      this.refuse("scan_coupon_first");
      return;
    }
    if (!sale.verdict?.committable) {
      // Never commit what the cashier has not seen accepted: check again and show the result.
      sale.recheck(now);
      if (!sale.verdict?.committable && sale.step === "review") this.refuse("remove_rejected");
      return;
    }
    let result: ReturnType<LedgerPort["redeem"]>;
    try {
      result = this.opts.ledger.redeem(sale.basket(), now, this.opts.cashier);
    } catch (err) {
      this.refuse("commit_failed", { detail: errorText(err) });
      return;
    }
    if (!result.committed) {
      sale.verdict = result.verdict;
      this.refuse("commit_refused");
      return;
    }
    const p = this.presentation();
    const receipt = receiptView(result.entry, this.opts.ledger.index(), p);
    receipt.lines = result.verdict.lines.map((v) => couponLineView(v, true, p));
    this.mode = { name: "approved", receipt, since: now };
    this.printer.print({ kind: "redemption", entry: result.entry });
  }

  // ---- the menu: voids, reprints, reports -------------------------------------------------

  private menuKey(action: KeyAction, now: number): void {
    if (action.type === "cancel" || action.type === "menu") {
      this.goIdle();
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
        this.showPrint({ name: "done", what: "report_X", print: "printing", since: now }, job);
        return;
      }
      case 4:
        if (this.refuseWhileLocked(now)) return;
        this.mode = {
          name: "z_pin",
          prompt: new PinPrompt(),
          from: this.periodStart(now),
          no: (this.opts.ledger.lastDayClose()?.no ?? 0) + 1,
        };
        return;
      case 5:
        this.reprintLastZ(now);
        return;
      default:
        return;
    }
  }

  /** A report covers everything since the last Z closed the books (the store's midnight before any Z). */
  private periodStart(now: number): number {
    return this.opts.ledger.lastDayClose()?.to ?? startOfLocalDay(now, this.timezone());
  }

  /** The menu voids the terminal's newest redemption only, once: a voided one is not walked past. */
  private startVoid(now: number): void {
    const last = this.opts.ledger.lastRedemption();
    if (!last) this.refuse("nothing_to_void");
    else if (last.voidEntry) this.refuse("void_already_voided");
    else if (!this.refuseWhileLocked(now))
      this.mode = { name: "void_pin", prompt: new PinPrompt(), target: last.entry };
  }

  /** True (and says so) while wrong PINs keep manager actions locked. */
  private refuseWhileLocked(now: number): boolean {
    const { lockedUntil } = this.opts.ledger.pinLock(now);
    if (lockedUntil === null) return false;
    this.refuse("void_locked", { minutes: String(Math.ceil((lockedUntil - now) / 60_000)) });
    return true;
  }

  /** The last slip again, as a copy: the redemption, or its void slip once it was voided. */
  private reprint(now: number): void {
    const last = this.opts.ledger.lastRedemption();
    if (!last) {
      this.refuse("nothing_to_reprint");
      return;
    }
    this.showPrint(
      { name: "done", what: "reprinted", receipt: this.receiptOf(last), print: "printing", since: now },
      last.voidEntry
        ? { kind: "void", entry: last.voidEntry, original: last.entry, reprint: true }
        : { kind: "redemption", entry: last.entry, reprint: true },
    );
  }

  private reprintLastZ(now: number): void {
    const close = this.opts.ledger.lastDayClose();
    // A close from before Z numbers has no period to print again.
    if (!close || close.no === 0) {
      this.refuse("nothing_to_reprint");
      return;
    }
    this.showPrint(
      { name: "done", what: "reprinted_Z", zNo: close.no, print: "printing", since: now },
      { kind: "report", report: "Z", no: close.no, from: close.from, to: close.to, reprint: true },
    );
  }

  /** Shows `done` and prints `job`; the screen says printing until the print ends, then how it ended. */
  private showPrint(done: Extract<Mode, { name: "done" }>, job: Parameters<PrintTracker["print"]>[0]): void {
    this.mode = done;
    done.print = this.printer.print(job, (state) => {
      done.print = state;
    });
  }

  private receiptOf(last: LastRedemption): ReceiptView {
    const receipt = receiptView(last.entry, this.opts.ledger.index(), this.presentation());
    if (last.voidEntry) receipt.voided = true;
    return receipt;
  }

  private pinKey(prompt: PinPrompt, action: KeyAction, now: number): void {
    const outcome = prompt.key(action);
    if (outcome?.type === "cancel") this.goIdle();
    else if (outcome?.type === "menu") this.mode = { name: "menu" };
    else if (outcome?.type === "submit") {
      const mode = this.mode;
      if (outcome.pin === "") {
        const left = this.opts.ledger.pinLock(now).attemptsLeft;
        this.refuse("void_bad_pin", { left: String(left) });
      } else if (mode.name === "void_pin") this.voidLast(mode.target, outcome.pin, now);
      else if (mode.name === "z_pin") this.closeDay(mode.from, outcome.pin, now);
    }
  }

  private voidLast(target: RedeemEntry, pin: string, now: number): void {
    let entry: VoidEntry;
    try {
      entry = this.opts.ledger.voidLastRedemption(target.id, now, this.opts.cashier, pin);
    } catch (err) {
      this.managerActionRefused(err, "void");
      return;
    }
    this.showPrint(
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
      close = this.opts.ledger.closeDay(from, now, pin);
    } catch (err) {
      this.managerActionRefused(err, "close");
      return;
    }
    this.showPrint(
      { name: "done", what: "report_Z", zNo: close.no, print: "printing", since: now },
      { kind: "report", report: "Z", no: close.no, from: close.from, to: close.to },
    );
  }

  /** A wrong PIN keeps the prompt (attempts left); the one that locks, or any other refusal, leaves it. */
  private managerActionRefused(err: unknown, what: "void" | "close"): void {
    if (err instanceof ManagerPinError) {
      if (err.reason === "bad_pin" && err.lockedUntil === null) {
        this.refuse("void_bad_pin", { left: String(err.attemptsLeft) });
      } else if (err.reason === "bad_pin") {
        this.goIdle();
        this.refuse("void_too_many_attempts");
      } else if (err.reason === "locked") {
        this.mode = { name: "menu" };
        this.refuse("void_locked", {
          minutes: String(Math.ceil(((err.lockedUntil ?? this.now) - this.now) / 60_000)),
        });
      } else {
        this.mode = { name: "menu" };
        this.refuse("pin_not_set");
      }
      return;
    }
    this.mode = { name: "menu" };
    if (err instanceof VoidError) this.refuse(`void_${err.reason}`);
    else this.refuse(what === "void" ? "void_failed" : "close_failed", { detail: errorText(err) });
  }

  // ---- time ------------------------------------------------------------------------------

  private tick(now: number): void {
    if (this.notice && now - this.noticeAt >= this.settings.noticeMs) this.notice = null;
    const mode = this.mode;
    if (mode.name === "approved" || mode.name === "done") {
      if (now - mode.since >= this.settings.resultMs) this.goIdle();
    } else if (mode.name !== "idle" && now - this.lastInputAt >= this.settings.inactivityMs) {
      const hadSale = mode.name === "sale";
      this.goIdle();
      if (hadSale) this.say("timeout", "info");
    }
  }

  private goIdle(): void {
    this.mode = { name: "idle" };
  }

  // ---- messages and the view --------------------------------------------------------------

  private refuse(code: NoticeCode, params?: Record<string, string>): void {
    this.say(code, "error", params);
    this.opts.effects.bell();
  }

  private say(code: NoticeCode, tone: Notice["tone"], params?: Record<string, string>): void {
    this.notice = params ? { code, tone, params } : { code, tone };
    this.noticeAt = this.now;
  }

  private currency(): string {
    return this.opts.ledger.index()?.currency ?? this.opts.currency ?? "CNY";
  }

  private timezone(): string {
    return this.opts.ledger.index()?.timezone ?? this.opts.timezone ?? "UTC";
  }

  private presentation(): Presentation {
    return { locale: this.opts.locale, currency: this.currency(), timezone: this.timezone() };
  }

  private publish(): void {
    const view = this.buildView();
    const json = JSON.stringify(view);
    if (json === this.currentJson) return;
    this.currentView = view;
    this.currentJson = json;
    for (const listener of this.listeners) listener(view);
  }

  private buildView(): FlowView {
    const p = this.presentation();
    const view: FlowView = {
      storeName: this.opts.storeName,
      currency: p.currency,
      clock: formatLocalDateTime(this.now, p.timezone).slice(0, 16),
      health: this.healthView(),
      screen: this.screenView(p),
      notice: this.notice,
      printProblem: this.printer.problem,
    };
    if (this.typing !== null) view.typing = this.typing;
    return view;
  }

  private screenView(p: Presentation): FlowView["screen"] {
    const mode = this.mode;
    switch (mode.name) {
      case "idle":
      case "menu":
        return { name: mode.name };
      case "sale":
        return { name: "sale", sale: mode.sale.view(p) };
      case "approved":
        return { name: "approved", receipt: mode.receipt };
      case "void_pin":
        return {
          name: "void_pin",
          target: receiptView(mode.target, this.opts.ledger.index(), p),
          pinLength: mode.prompt.pinLength,
          attemptsLeft: this.opts.ledger.pinLock(this.now).attemptsLeft,
        };
      case "z_pin":
        return {
          name: "z_pin",
          zNo: mode.no,
          from: formatLocalDateTime(mode.from, p.timezone).slice(0, 16),
          pinLength: mode.prompt.pinLength,
          attemptsLeft: this.opts.ledger.pinLock(this.now).attemptsLeft,
        };
      case "done": {
        const { what, receipt, zNo, print } = mode;
        return {
          name: "done",
          what,
          print,
          ...(receipt ? { receipt } : {}),
          ...(zNo !== undefined ? { zNo } : {}),
        };
      }
    }
  }

  private healthView(): HealthView {
    const status = this.opts.ledger.status(this.now);
    return {
      ...this.health,
      clockSynchronized: status.clockSynchronized,
      clockTrusted: status.clockTrusted,
      listVersion: status.listVersion,
      listAgeMinutes:
        status.listIssuedAt === null
          ? null
          : Math.max(0, Math.floor((this.now - status.listIssuedAt) / 60_000)),
      codes: status.codes,
    };
  }
}
