import type { Locale } from "../engine/labels.js";
import type { VoidEntry } from "../ledger/records.js";
import { currencyDecimals, formatMoney } from "../money.js";
import { formatLocalDateTime } from "../time/zoned.js";
import { startOfLocalDay } from "./business-day.js";
import type { FlowEffects } from "./effects.js";
import type { FlowEvent, HealthReport } from "./events.js";
import { actionFor, type KeyAction, type Keymap, resolveKeymap } from "./keymap.js";
import { type LedgerPort, VoidError } from "./ports.js";
import { PrintTracker } from "./print-tracker.js";
import { errorText, isAmountBurst, parseCouponOrRefuse, Sale, type SaleContext } from "./sale.js";
import { couponLineView, type Presentation, receiptView } from "./verdict-view.js";
import type { DoneWhat, FlowView, HealthView, Notice, NoticeCode, ReceiptView } from "./view.js";
import { VoidPrompt } from "./void-prompt.js";

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
  /** Wrong manager PINs allowed in a row before the void is abandoned. */
  pinAttempts?: number;
  /** After that many wrong PINs, voids are refused for this long. */
  pinLockoutMs?: number;
}

interface FlowSettings {
  inactivityMs: number;
  doubleScanMs: number;
  resultMs: number;
  noticeMs: number;
  maxAmount: number;
  pinAttempts: number;
  pinLockoutMs: number;
}

export const FLOW_DEFAULTS: Readonly<FlowSettings> = {
  inactivityMs: 60_000,
  doubleScanMs: 1500,
  resultMs: 5000,
  noticeMs: 10_000,
  maxAmount: 9_999_999,
  pinAttempts: 3,
  pinLockoutMs: 5 * 60_000,
};

type Mode =
  | { name: "idle" }
  | { name: "sale"; sale: Sale }
  | { name: "approved"; receipt: ReceiptView; since: number }
  | { name: "menu" }
  | { name: "void_pin"; prompt: VoidPrompt }
  | { name: "done"; what: DoneWhat; receipt?: ReceiptView; since: number };

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
  /** Voids are refused until then after too many wrong PINs (guessing costs time). */
  private pinLockedUntil = 0;
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
      pinAttempts: opts.pinAttempts ?? FLOW_DEFAULTS.pinAttempts,
      pinLockoutMs: opts.pinLockoutMs ?? FLOW_DEFAULTS.pinLockoutMs,
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
        this.pinKey(mode.prompt, action, now);
        return;
    }
  }

  private scan(text: string, now: number): void {
    const mode = this.mode;
    if (mode.name === "void_pin") {
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

  // ---- the menu and voids ---------------------------------------------------------------

  private menuKey(action: KeyAction, now: number): void {
    if (action.type === "cancel" || action.type === "menu") {
      this.goIdle();
      return;
    }
    if (action.type !== "digit") return;
    switch (action.value) {
      case 1: {
        const target = this.opts.ledger.lastRedemption();
        if (now < this.pinLockedUntil) {
          const minutes = Math.ceil((this.pinLockedUntil - now) / 60_000);
          this.refuse("void_locked", { minutes: String(minutes) });
        } else if (!target) this.refuse("nothing_to_void");
        else this.mode = { name: "void_pin", prompt: new VoidPrompt(target, this.settings.pinAttempts) };
        return;
      }
      case 2:
        this.reprint(now);
        return;
      case 3:
      case 4: {
        const report = action.value === 3 ? "X" : "Z";
        this.mode = { name: "done", what: `report_${report}`, since: now };
        // A report covers everything since the last Z closed the books (the store's midnight before any Z).
        const from = this.opts.ledger.lastDayClose() ?? startOfLocalDay(now, this.timezone());
        if (report === "Z") this.opts.ledger.closeDay(now);
        this.printer.print({ kind: "report", report, from, to: now });
        return;
      }
      default:
        return;
    }
  }

  private reprint(now: number): void {
    let job = this.printer.lastReceipt;
    if (!job) {
      const last = this.opts.ledger.lastRedemption();
      if (last) job = { kind: "redemption", entry: last };
    }
    if (!job) {
      this.refuse("nothing_to_reprint");
      return;
    }
    const entry = job.kind === "redemption" ? job.entry : job.original;
    const receipt = receiptView(entry, this.opts.ledger.index(), this.presentation());
    this.mode = { name: "done", what: "reprinted", receipt, since: now };
    this.printer.print({ ...job, reprint: true });
  }

  private pinKey(prompt: VoidPrompt, action: KeyAction, now: number): void {
    const outcome = prompt.key(action);
    if (outcome?.type === "cancel") this.goIdle();
    else if (outcome?.type === "menu") this.mode = { name: "menu" };
    else if (outcome?.type === "submit") {
      if (outcome.pin === "") this.refuse("void_bad_pin", { left: String(prompt.attemptsLeft) });
      else this.voidLast(prompt, outcome.pin, now);
    }
  }

  private voidLast(prompt: VoidPrompt, pin: string, now: number): void {
    let entry: VoidEntry;
    try {
      entry = this.opts.ledger.voidRedemption(prompt.target.id, now, this.opts.cashier, pin);
    } catch (err) {
      if (!(err instanceof VoidError)) {
        this.mode = { name: "menu" };
        this.refuse("void_failed", { detail: errorText(err) });
      } else if (err.reason !== "bad_pin") {
        this.mode = { name: "menu" };
        this.refuse(`void_${err.reason}`);
      } else if (prompt.refused() > 0) {
        this.refuse("void_bad_pin", { left: String(prompt.attemptsLeft) });
      } else {
        this.goIdle();
        this.pinLockedUntil = now + this.settings.pinLockoutMs;
        this.refuse("void_too_many_attempts");
      }
      return;
    }
    const receipt = receiptView(prompt.target, this.opts.ledger.index(), this.presentation());
    this.mode = { name: "done", what: "voided", receipt, since: now };
    this.printer.print({ kind: "void", entry, original: prompt.target });
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
          target: receiptView(mode.prompt.target, this.opts.ledger.index(), p),
          pinLength: mode.prompt.pinLength,
          attemptsLeft: mode.prompt.attemptsLeft,
        };
      case "done":
        return mode.receipt
          ? { name: "done", what: mode.what, receipt: mode.receipt }
          : { name: "done", what: mode.what };
    }
  }

  private healthView(): HealthView {
    const status = this.opts.ledger.status(this.now);
    return {
      ...this.health,
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
