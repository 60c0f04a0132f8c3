import type { Locale } from "../engine/labels.js";
import { currencyDecimals, formatMoney, MAX_BILL_MINOR } from "../money.js";
import type { LedgerPort } from "../store/ledger-port.js";
import type { FlowEffects, PrintJob } from "./effects.js";
import type { FlowEvent, HealthReport } from "./events.js";
import { buildFlowView, clockText, healthView, type ReportedHealth, sameHealth } from "./flow-view.js";
import { actionFor, type KeyAction, type Keymap, resolveKeymap } from "./keymap.js";
import { ManagerMenu, type MenuHost } from "./manager-menu.js";
import type { DoneMode, Mode } from "./mode.js";
import { PrintTracker } from "./print-tracker.js";
import { errorText, isAmountBurst, parseCouponOrRefuse, Sale, type SaleContext } from "./sale.js";
import { couponLineView, type Presentation, receiptView } from "./verdict-view.js";
import type { FlowView, Notice, NoticeCode } from "./view.js";

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

/**
 * The redemption flow: a state machine driven by keys, scans, health reports and the clock. It owns
 * no device; it reads and commits through the ledger and asks for prints and the buzzer through
 * `effects`. Time comes only from the `now` given with each event. The manager's menu is its own
 * policy (manager-menu.ts), the view is built from the state (flow-view.ts) only when a handler
 * changed something or the clock and health lines on screen moved on.
 */
export class RedemptionFlow {
  private mode: Mode = { name: "idle" };
  private now: number;
  private lastInputAt: number;
  private lastScan: { text: string; at: number } | null = null;
  private notice: Notice | null = null;
  private typing: string | null = null;
  private noticeAt = 0;
  private health: ReportedHealth = { printer: "unknown", network: "unknown", unsent: null, conflicts: 0 };
  private readonly keymap: Keymap;
  private readonly settings: FlowSettings;
  private readonly listeners = new Set<(view: FlowView) => void>();
  private currentView: FlowView;
  /** Set by every handler that changed what the view shows; cleared when the view is rebuilt. */
  private dirty = false;
  private readonly saleContext: SaleContext;
  private readonly printer: PrintTracker;
  private readonly menu: ManagerMenu;

  constructor(
    private readonly opts: FlowOptions,
    now: number,
  ) {
    this.now = now;
    this.lastInputAt = now;
    this.keymap = resolveKeymap(opts.keymap);
    this.printer = new PrintTracker(opts.effects, () => {
      this.dirty = true;
      this.publish();
    });
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
    this.menu = new ManagerMenu(this.menuHost());
    this.currentView = this.buildView();
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
        this.dirty = true;
        this.touch(now);
        this.key(action, now);
        break;
      }
      case "typing":
        this.dirty = true;
        this.touch(now);
        this.typing = event.text;
        break;
      case "scan":
        this.dirty = true;
        this.typing = null;
        if (this.isDoubleScan(event.text, now)) break;
        this.touch(now);
        this.scan(event.text, now);
        break;
    }
    this.publish();
  }

  private report(health: HealthReport): void {
    const next: ReportedHealth = { ...this.health };
    if (health.printer !== undefined) next.printer = health.printer;
    if (health.network !== undefined) next.network = health.network;
    if (health.unsent !== undefined) next.unsent = health.unsent;
    if (health.conflicts !== undefined) next.conflicts = health.conflicts;
    if (health.faults !== undefined) next.faults = [...health.faults];
    this.health = next;
    // Whether it shows is decided in publish(): the health line is compared field by field.
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
        this.menu.key(action, now);
        return;
      case "void_pin":
      case "z_pin":
        this.menu.pinKey(mode.prompt, action, now);
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

  // ---- what the menu may do to the flow -------------------------------------------------

  private menuHost(): MenuHost {
    const flow = this;
    return {
      ledger: this.opts.ledger,
      cashier: this.opts.cashier,
      get mode() {
        return flow.mode;
      },
      set mode(mode: Mode) {
        flow.mode = mode;
      },
      now: () => this.now,
      timezone: () => this.timezone(),
      presentation: () => this.presentation(),
      refuse: (code, params) => this.refuse(code, params),
      goIdle: () => this.goIdle(),
      showPrint: (done, job) => this.showPrint(done, job),
    };
  }

  /** Shows `done` and prints `job`; the screen says printing until the print ends, then how it ended. */
  private showPrint(done: DoneMode, job: PrintJob): void {
    this.mode = done;
    done.print = this.printer.print(job, (state) => {
      done.print = state;
    });
  }

  // ---- time ------------------------------------------------------------------------------

  private tick(now: number): void {
    if (this.notice && now - this.noticeAt >= this.settings.noticeMs) {
      this.notice = null;
      this.dirty = true;
    }
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
    this.dirty = true;
  }

  // ---- messages and the view --------------------------------------------------------------

  private refuse(code: NoticeCode, params?: Record<string, string>): void {
    this.say(code, "error", params);
    this.opts.effects.bell();
  }

  private say(code: NoticeCode, tone: Notice["tone"], params?: Record<string, string>): void {
    this.notice = params ? { code, tone, params } : { code, tone };
    this.noticeAt = this.now;
    this.dirty = true;
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

  /**
   * Rebuilds and announces the view when a handler changed the state (`dirty`), or when what the
   * ledger and the clock put on screen moved on (the minute, the list, the health line): those
   * few flat fields are compared, the whole view is neither rebuilt nor serialised on every tick.
   */
  private publish(): void {
    const p = this.presentation();
    const health = healthView(this.health, this.opts.ledger, this.now);
    const shown = this.currentView;
    if (
      !this.dirty &&
      clockText(this.now, p) === shown.clock &&
      p.currency === shown.currency &&
      sameHealth(health, shown.health)
    )
      return;
    this.currentView = this.buildView(health);
    for (const listener of this.listeners) listener(this.currentView);
  }

  private buildView(health = healthView(this.health, this.opts.ledger, this.now)): FlowView {
    this.dirty = false;
    return buildFlowView({
      storeName: this.opts.storeName,
      now: this.now,
      presentation: this.presentation(),
      ledger: this.opts.ledger,
      mode: this.mode,
      health,
      notice: this.notice,
      printProblem: this.printer.problem,
      typing: this.typing,
    });
  }
}
