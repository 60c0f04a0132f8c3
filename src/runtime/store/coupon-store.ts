import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { LowSync } from "lowdb";
import {
  CouponListError,
  type ListInForce,
  parseVerifiedList,
  verifyCouponList,
} from "../../protocol/coupon-list/index.js";
import { type SignedEnvelope, verifyEnvelope } from "../../protocol/envelope/index.js";
import type {
  JournalEntry,
  JournalRecord,
  RedeemEntry,
  RedemptionLine,
  VoidEntry,
} from "../../protocol/journal/index.js";
import { TimeStatementError, verifyTimeStatement } from "../../protocol/time-statement/index.js";
import { verifyPin } from "../config/pin.js";
import { hashMember } from "../coupons/member-hash.js";
import { type BasketInput, evaluateBasket } from "../engine/basket.js";
import { buildCouponIndex, type CouponIndex } from "../engine/coupon-index.js";
import { localize } from "../engine/labels.js";
import type { TerminalContext } from "../engine/validate.js";
import type { Accepted, BasketVerdict } from "../engine/verdict.js";
import { ulid } from "../ids.js";
import type { LegacyUsageSnapshot } from "../ledger/usage-snapshot.js";
import type { Logger } from "../log.js";
import { formatLocalDateTime } from "../time/zoned.js";
import { snapshotEvidence } from "./commit-evidence.js";
import { acquireDataDirLock, type DataDirLock } from "./data-dir-lock.js";
import { openDurableDb } from "./durable-adapter.js";
import { commitPreparedFile, discardPreparedFile } from "./durable-file.js";
import { Ledger } from "./ledger/ledger.js";
import {
  type DayClose,
  type LastRedemption,
  type LedgerPort,
  type LedgerStatus,
  ManagerPinError,
  type PinLockStatus,
  type RedeemResult,
  VoidError,
} from "./ledger-port.js";
import {
  afterPinAttempt,
  PIN_POLICY_DEFAULTS,
  type PinLockState,
  type PinPolicy,
  pinLockStatus,
  UNLOCKED,
} from "./pin-lockout.js";

export interface CouponStoreOptions {
  dataDir: string;
  terminal: string;
  store: string;
  merchant: { id: string; publicKey: string };
  clockToleranceMs: number;
  /**
   * How far ahead of the terminal's time a signed list may be dated, and how far ahead of the
   * clock a trusted time may be before it is in doubt (default 24 h).
   */
  maxAheadMs?: number;
  /**
   * Whether the clock is NTP-synchronised right now. Then the clock is the authority: a list's
   * date never moves the terminal's time. Not known (the default): a list may raise it, within
   * clock.maxAheadHours of what the clock, NTP or a time statement vouched for.
   */
  clockSynchronized?: () => boolean;
  voidWindowMs: number;
  /** scrypt hash of the manager PIN; without one, voids are refused. */
  managerPinHash?: string;
  /** Wrong manager PINs in a row before manager actions lock, and for how long (every door). */
  pinPolicy?: PinPolicy;
  log: Logger;
  /** Counters checkpoint cadence, in journal records (default 1000). */
  snapshotEvery?: number;
  /** Journal segment size at which the next segment begins (default 16 MiB). */
  segmentBytes?: number;
  /** A counters checkpoint at least this often when there were commits (default 10 minutes). */
  checkpointIntervalMs?: number;
}

interface CacheFile {
  format: "quan.cache/1";
  envelope: SignedEnvelope | null;
  importedAt: string | null;
}

interface StateFile {
  format: "quan.state/1";
  /** Latest instant the terminal has reason to trust (epoch ms). */
  trustedTime: number;
  /** Who vouched for it; absent in files written before sources were recorded. */
  trustedSource?: TrustedSource;
  /**
   * Latest instant the NTP-synchronised clock or a signed time statement vouched for (never a
   * list's date): what a list's date is bounded by, so that lists cannot chain ahead.
   */
  vouchedTime?: number;
  /** Nonce of the last signed time statement imported (files from before timeStatementNonces). */
  timeStatementNonce?: string;
  /** Nonces of imported time statements not yet expired, so none can be imported twice. */
  timeStatementNonces?: { nonce: string; expiresAt: number }[];
  /**
   * The counters snapshot of all history written before the ledger kept checkpoints: read once as
   * evidence while migrating, then removed.
   */
  snapshot?: LegacyUsageSnapshot | null;
  /** When the last Z report closed the books (epoch ms); from before Z numbers, read only. */
  lastZAt?: number;
  /** The last Z close, with its number. */
  lastZ?: DayClose;
  /** The manager PIN lockout, shared by every door and kept across restarts. */
  pinLock?: PinLockState;
}

export type ImportResult = { status: "imported" | "unchanged"; version: number; codes: number };

/** The sources that may vouch for the time: the NTP-synchronised clock and the merchant's signature. */
export type TrustedSource = "ntp" | "list" | "statement";

export const DEFAULT_MAX_AHEAD_MS = 24 * 3_600_000;

/** Statements are valid 24 h at most; this many in a day is already far more than any use. */
const MAX_REMEMBERED_STATEMENTS = 256;

/**
 * The imperative shell around the coupon engine: the coupon cache (lowdb, durable writes) and the
 * ledger (store/ledger/: the segmented journal, append-only and fsynced, and the counters derived
 * from it). Single writer per data directory (a lock file); every commit is on disk before
 * redeem() returns.
 */
export class CouponStore implements LedgerPort {
  private indexInForce: CouponIndex | null = null;
  private readonly log: Logger;
  private closed = false;

  private constructor(
    private readonly opts: CouponStoreOptions,
    /** Read-only when opened so: then nothing is written, not even a torn tail cut away. */
    private readonly ledger: Ledger,
    private readonly writer: boolean,
    private readonly cache: LowSync<CacheFile>,
    private readonly state: LowSync<StateFile>,
    private readonly lock: DataDirLock,
  ) {
    this.log = opts.log;
  }

  /**
   * Read-only: for dry runs (`quan coupons check`) while the terminal is running. Takes no lock and
   * writes nothing; what it sees is the journal as far as it was written when it opened.
   */
  static openReadOnly(opts: CouponStoreOptions): CouponStore {
    const noLock: DataDirLock = { path: "", release: () => undefined };
    const ledger = Ledger.openReadOnly(ledgerOptions(opts));
    const store = new CouponStore(
      opts,
      ledger,
      false,
      openCache(opts.dataDir),
      openState(opts.dataDir),
      noLock,
    );
    store.loadCache();
    return store;
  }

  static open(opts: CouponStoreOptions): CouponStore {
    mkdirSync(opts.dataDir, { recursive: true });
    const lock = acquireDataDirLock(opts.dataDir);
    try {
      const cache = openCache(opts.dataDir);
      const state = openState(opts.dataDir);
      const snapshot = state.data.snapshot;
      const { ledger } = Ledger.open({
        ...ledgerOptions(opts),
        legacyEvidence: snapshotEvidence(snapshot),
      });
      const store = new CouponStore(opts, ledger, true, cache, state, lock);
      // The snapshot of all history is gone once a checkpoint stands in for it.
      if (snapshot !== undefined && ledger.hasCheckpoint()) {
        delete state.data.snapshot;
        state.write();
      }
      store.loadCache();
      return store;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  // ---- the coupon list -------------------------------------------------------------------

  private loadCache(): void {
    const envelope = this.cache.data.envelope;
    if (!envelope) return;
    const started = performance.now();
    // Re-verified on every start: a cache edited on the SD card must not pass as the merchant's.
    const document = verifyEnvelope(envelope, this.opts.merchant.publicKey);
    this.indexInForce = buildCouponIndex(parseVerifiedList(document));
    this.log.info(
      {
        version: this.indexInForce.version,
        codes: this.indexInForce.codes.size,
        ms: Math.round(performance.now() - started),
      },
      "coupon list loaded",
    );
  }

  /** Verifies and installs a signed list. A refused list throws CouponListError and changes nothing. */
  importList(envelopeText: string, now: number): ImportResult {
    this.writable("import a coupon list");
    const verified = verifyCouponList(envelopeText, this.opts.merchant, this.listInForce());
    if (verified.unchanged)
      return { status: "unchanged", version: verified.list.version, codes: verified.list.codes.length };
    const importedAt = new Date(now).toISOString();
    return this.install(buildCouponIndex(verified.list), verified.list.issuedAt, now, () => {
      this.cache.data = { format: "quan.cache/1", envelope: verified.envelope, importedAt };
      this.cache.write();
    });
  }

  /** What a new list is verified against: the version and signature in force, if any. */
  listInForce(): ListInForce | null {
    const current = this.cache.data.envelope;
    return current && this.indexInForce
      ? { version: this.indexInForce.version, signature: current.signature }
      : null;
  }

  /** Where the list cache lives: a list verified off this thread prepares its new content next to it. */
  listCacheFile(): string {
    return join(this.opts.dataDir, "coupons.json");
  }

  /**
   * Installs a list verified and indexed elsewhere (a worker thread), whose cache file content
   * (listCacheContent) was already written and synced to `preparedFile`. Checked again here, as
   * one synchronous step: a list that another import overtook meanwhile is refused as stale. A
   * refused list throws CouponListError, drops the prepared file and changes nothing.
   */
  installPreparedList(
    prepared: {
      envelope: SignedEnvelope;
      index: CouponIndex;
      /** As the list states it, for messages. */
      issuedAt: string;
      preparedFile: string;
      importedAt: string;
    },
    now: number,
  ): ImportResult {
    const { envelope, index, issuedAt, preparedFile, importedAt } = prepared;
    try {
      this.writable("import a coupon list");
      const inForce = this.listInForce();
      if (inForce && index.version <= inForce.version)
        throw new CouponListError(
          "stale_version",
          `coupon list refused: version ${index.version} is not newer than version ${inForce.version} in force`,
        );
      return this.install(index, issuedAt, now, () => {
        commitPreparedFile(preparedFile, this.listCacheFile());
        this.cache.data = { format: "quan.cache/1", envelope, importedAt };
      });
    } finally {
      discardPreparedFile(preparedFile);
    }
  }

  /**
   * The list in force is replaced only once its cache is on disk (`persist`), in one synchronous
   * step; its date then feeds trusted time as far as the clock rules allow.
   */
  private install(index: CouponIndex, issuedText: string, now: number, persist: () => void): ImportResult {
    const synchronized = this.synchronized();
    this.refuseIssuedAhead(issuedText, index.issuedAt, now, synchronized);
    persist();
    this.indexInForce = index;
    if (!synchronized) this.raiseTrustedTime(index.issuedAt, "list");
    else if (index.issuedAt <= now + this.opts.clockToleranceMs)
      this.raiseTrustedTime(Math.min(index.issuedAt, now), "list");
    else
      this.log.warn(
        { version: index.version, issuedAt: issuedText },
        `the server's clock is ${formatSpan(index.issuedAt - now)} ahead: list ${index.version} is dated ${issuedText}, this terminal's NTP-synchronised clock says ${new Date(now).toISOString()}; the list is in force but its date is not taken as the time (fix the server's clock)`,
      );
    this.log.info({ version: index.version, codes: index.codes.size }, "coupon list imported");
    return { status: "imported", version: index.version, codes: index.codes.size };
  }

  /**
   * A list dated further ahead than clock.maxAheadHours: of a synchronised clock, the server's
   * clock is wrong; otherwise measured from what the clock, NTP or a time statement vouched for,
   * never from time an earlier list raised (two lists must not chain past the bound).
   */
  private refuseIssuedAhead(issuedText: string, issuedAt: number, now: number, synchronized: boolean): void {
    const base = synchronized ? now : Math.max(now, this.vouchedTime());
    if (issuedAt <= base + this.maxAheadMs()) return;
    const bound = `at most clock.maxAheadHours = ${this.maxAheadMs() / 3_600_000} h`;
    throw new CouponListError(
      "issued_ahead",
      synchronized
        ? `coupon list refused: issued ${issuedText}, ${formatSpan(issuedAt - now)} ahead of this terminal's NTP-synchronised clock ${new Date(now).toISOString()} (${bound}): the server's clock is wrong; fix it, sign the list again and import it`
        : `coupon list refused: issued ${issuedText}, ${formatSpan(issuedAt - base)} ahead of this terminal's time ${new Date(base).toISOString()} (the clock is not NTP synchronised; ${bound}): the server's clock or this terminal's is wrong; set the clock (NTP), or import a signed time statement (\`quan time import\`), then import the list again`,
    );
  }

  index(): CouponIndex | null {
    return this.indexInForce;
  }

  // ---- validation and commits ------------------------------------------------------------

  private context(now: number): TerminalContext {
    // A synchronised clock is the authority: no trusted time ahead of it counts.
    const synchronized = this.synchronized();
    return {
      store: this.opts.store,
      terminal: this.opts.terminal,
      trustedTime: synchronized ? Math.min(this.trustedTime(), now) : this.trustedTime(),
      clockToleranceMs: this.opts.clockToleranceMs,
      trustedTimeInDoubt: !synchronized && this.trustedTimeInDoubt(now),
    };
  }

  check(basket: BasketInput, now: number): BasketVerdict {
    const index = this.indexInForce;
    if (!index) return noList(basket);
    return evaluateBasket(index, this.ledger.usage, basket, now, this.context(now));
  }

  redeem(basket: BasketInput, now: number, cashier: string): RedeemResult {
    const index = this.indexInForce;
    const verdict = this.check(basket, now);
    if (!index || !verdict.committable) return { committed: false, verdict };
    const at = this.terminalTime(now);
    const entry: RedeemEntry = {
      type: "redeem",
      id: ulid(at),
      at: new Date(at).toISOString(),
      terminal: this.opts.terminal,
      store: this.opts.store,
      cashier,
      currency: index.currency,
      amount: verdict.amount,
      discount: verdict.discount,
      payable: verdict.payable,
      lines: verdict.lines.filter((l): l is Accepted => l.ok).map(redemptionLine),
      ...(basket.member ? { member: basket.member } : {}),
      listVersion: index.version,
    };
    this.commit(entry, now);
    return { committed: true, entry, verdict };
  }

  /** Voids any redemption by id (the technician's `quan void`): manager PIN, void window, once. */
  voidRedemption(id: string, now: number, cashier: string, pin: string): VoidEntry {
    const at = this.terminalTime(now);
    this.refuseWhileLocked(now);
    const found = this.redemption(id);
    if (!found) throw new VoidError("not_found", `no redemption ${id} on this terminal`);
    this.checkManagerPin(pin, now);
    if (found.voided) throw new VoidError("already_voided", `redemption ${id} is already voided`);
    if (at - Date.parse(found.entry.at) > this.opts.voidWindowMs) {
      throw new VoidError(
        "window_passed",
        `redemption ${id} is older than the void window (${Math.round(this.opts.voidWindowMs / 60_000)} min)`,
      );
    }
    const entry: VoidEntry = {
      type: "void",
      id: ulid(at),
      target: id,
      at: new Date(at).toISOString(),
      terminal: this.opts.terminal,
      cashier,
    };
    this.commit(entry, now);
    return entry;
  }

  voidLastRedemption(id: string, now: number, cashier: string, pin: string): VoidEntry {
    const last = this.lastRedemption();
    if (!last || last.entry.id !== id)
      throw new VoidError("not_last", `redemption ${id} is not this terminal's newest redemption`);
    if (last.voidEntry) throw new VoidError("already_voided", `redemption ${id} is already voided`);
    return this.voidRedemption(id, now, cashier, pin);
  }

  // ---- the manager PIN -------------------------------------------------------------------

  private pinPolicy(): PinPolicy {
    return this.opts.pinPolicy ?? PIN_POLICY_DEFAULTS;
  }

  pinLock(now: number): PinLockStatus {
    const at = this.terminalTime(now);
    return pinLockStatus(this.state.data.pinLock ?? UNLOCKED, this.pinPolicy(), at);
  }

  /** `now` is the clock; the lockout runs in terminal time, the message says the real minutes left. */
  private refuseWhileLocked(now: number): void {
    const status = this.pinLock(now);
    if (status.lockedUntil === null) return;
    throw new ManagerPinError(
      "locked",
      `too many wrong manager PINs: manager actions are ${this.lockedFor(status.lockedUntil, now)}`,
      0,
      status.lockedUntil,
    );
  }

  /**
   * "locked for 5 min (until 12:05, Asia/Shanghai)": the minutes from the clock (while the
   * terminal's time is ahead of the clock it does not move, so the real wait is longer), the end
   * in the store's time zone, as on the terminal's screen.
   */
  private lockedFor(lockedUntil: number, now: number): string {
    const minutes = Math.max(1, Math.ceil((lockedUntil - now) / 60_000));
    const zone = this.indexInForce?.timezone ?? "UTC";
    return `locked for ${minutes} min (until ${formatLocalDateTime(lockedUntil, zone).slice(0, 16)}, ${zone})`;
  }

  /** One policy for every door: a wrong PIN is counted durably, and enough of them lock manager actions. */
  private checkManagerPin(pin: string, now: number): void {
    const at = this.terminalTime(now);
    this.refuseWhileLocked(now);
    const hash = this.opts.managerPinHash;
    if (!hash)
      throw new ManagerPinError(
        "not_set",
        "no manager PIN is configured (void.managerPin), so manager actions are refused",
        0,
        null,
      );
    const ok = verifyPin(pin, hash);
    const before = this.state.data.pinLock ?? UNLOCKED;
    const after = afterPinAttempt(before, this.pinPolicy(), ok, at);
    if (
      after.failures !== before.failures ||
      after.lockedUntil !== before.lockedUntil ||
      (after.lockouts ?? 0) !== (before.lockouts ?? 0)
    ) {
      this.writable("record a manager PIN attempt");
      this.state.data.pinLock = after;
      this.state.write();
    }
    if (ok) return;
    const status = pinLockStatus(after, this.pinPolicy(), at);
    throw new ManagerPinError(
      "bad_pin",
      status.lockedUntil === null
        ? `wrong manager PIN (${status.attemptsLeft} ${status.attemptsLeft === 1 ? "attempt" : "attempts"} left)`
        : `wrong manager PIN: too many in a row, manager actions are ${this.lockedFor(status.lockedUntil, now)}`,
      status.attemptsLeft,
      status.lockedUntil,
    );
  }

  /**
   * Journal first (fsynced), counters after: a crash in between replays the entry at next start.
   * Once the journal has it the entry is committed, whatever the housekeeping after it does.
   * `now` is the clock's reading, which bounds how far back the ledger prunes spent tokens.
   */
  private commit(entry: JournalEntry, now: number): JournalRecord {
    this.writable("commit");
    return this.ledger.commit(entry, now);
  }

  // ---- queries ---------------------------------------------------------------------------

  lastRedemption(): LastRedemption | undefined {
    return this.ledger.lastRedemption();
  }

  redemption(id: string): { entry: RedeemEntry; voided: boolean } | undefined {
    return this.ledger.redemption(id);
  }

  entriesBetween(from: number, to: number): (RedeemEntry | VoidEntry)[] {
    return this.ledger.entriesBetween(from, to);
  }

  /**
   * Whether redemptions can be committed now: the journal is open and has not failed, or it failed
   * (a full disk) and its cut-back holds again, so the terminal recovers without a restart.
   */
  canCommit(): boolean {
    return this.writer && this.ledger.canCommit();
  }

  lastDayClose(): DayClose | null {
    const { lastZ, lastZAt } = this.state.data;
    if (lastZ) return lastZ;
    // A close from before Z numbers: its period is unknown, the next one starts there.
    return lastZAt === undefined ? null : { no: 0, from: lastZAt, to: lastZAt };
  }

  closeDay(from: number, to: number, pin: string): DayClose {
    this.writable("close the day");
    if (!(from <= to)) throw new RangeError(`a Z period ends after it starts (${from} > ${to})`);
    this.checkManagerPin(pin, to);
    const close: DayClose = { no: (this.lastDayClose()?.no ?? 0) + 1, from, to };
    this.state.data.lastZ = close;
    this.state.data.lastZAt = to;
    this.state.write();
    return close;
  }

  memberHash(raw: string): string {
    if (!this.indexInForce)
      throw new CouponListError(
        "invalid_document",
        "no coupon list in force: members cannot be identified yet",
      );
    return hashMember(this.indexInForce.memberSalt, raw);
  }

  /**
   * The latest instant a source vouched for: the NTP-synchronised clock or the merchant's
   * signature (a list's issuedAt, a time statement). A redemption's own time is not one: it is
   * only the clock's word.
   */
  trustedTime(): number {
    return this.state.data.trustedTime;
  }

  trustedSource(): TrustedSource | null {
    return this.state.data.trustedSource ?? null;
  }

  /**
   * A trusted time further ahead of the clock than clock.maxAheadHours: no source could have
   * vouched for it (an older version let `redeem --at` or a far-future list set it), or the clock
   * is years behind. Which one is wrong only a signed time statement can say.
   */
  trustedTimeInDoubt(now: number): boolean {
    return this.trustedTime() - now > this.maxAheadMs();
  }

  /**
   * The time a commit is recorded at (and the void window and PIN lockout run in): a synchronised
   * clock's; otherwise the later of clock and trusted time, unless that is in doubt.
   */
  terminalTime(now: number): number {
    if (this.synchronized() || this.trustedTimeInDoubt(now)) return now;
    return Math.max(now, this.trustedTime());
  }

  /** Whether the clock is NTP-synchronised now (as the daemon or the CLI was told to find out). */
  clockSynchronized(): boolean {
    return this.synchronized();
  }

  private synchronized(): boolean {
    return this.opts.clockSynchronized?.() ?? false;
  }

  /**
   * The latest instant NTP or a signed time statement vouched for. A state file from before this
   * was kept: its trusted time counts when NTP or a statement set it, not when a list did.
   */
  vouchedTime(): number {
    const s = this.state.data;
    if (s.vouchedTime !== undefined) return s.vouchedTime;
    return s.trustedSource === "ntp" || s.trustedSource === "statement" ? s.trustedTime : 0;
  }

  private maxAheadMs(): number {
    return this.opts.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS;
  }

  status(now: number): LedgerStatus {
    const trusted = this.trustedTime();
    return {
      listVersion: this.indexInForce?.version ?? null,
      listIssuedAt: this.indexInForce?.issuedAt ?? null,
      codes: this.indexInForce?.codes.size ?? 0,
      clockSynchronized: this.synchronized(),
      clockTrusted: this.synchronized() || now >= trusted - this.opts.clockToleranceMs,
      trustedTime: trusted,
      redemptions: this.ledger.redemptions,
    };
  }

  /** Called by the daemon when the clock is known good (NTP synchronised) to carry trust across reboots. */
  raiseTrustedTime(instant: number, source: TrustedSource = "ntp"): void {
    const vouches = source !== "list" && instant > this.vouchedTime();
    if (instant <= this.state.data.trustedTime && !vouches) return;
    this.writable("record the trusted time");
    if (instant > this.state.data.trustedTime) {
      this.state.data.trustedTime = instant;
      this.state.data.trustedSource = source;
    }
    if (vouches) this.state.data.vouchedTime = instant;
    this.state.write();
  }

  /**
   * Sets the trusted time from a signed time statement (see protocol/time-statement): the
   * merchant's word, so it may move the time backwards (the way out of a poisoned trusted time).
   * A refused statement throws TimeStatementError and changes nothing.
   */
  importTimeStatement(text: string, clockNow: number): { previous: number; instant: number } {
    this.writable("import a time statement");
    const verified = verifyTimeStatement(
      text,
      this.opts.merchant,
      clockNow,
      this.state.data.timeStatementNonce,
    );
    // Every statement that could still be imported by this clock is remembered, not only the last.
    const seen = (this.state.data.timeStatementNonces ?? []).filter((s) => s.expiresAt >= clockNow);
    if (seen.some((s) => s.nonce === verified.nonce))
      throw new TimeStatementError("replayed", "this statement was already imported; sign a fresh one");
    const previous = this.state.data.trustedTime;
    this.state.data.trustedTime = verified.instant;
    this.state.data.trustedSource = "statement";
    this.state.data.vouchedTime = verified.instant;
    this.state.data.timeStatementNonce = verified.nonce;
    this.state.data.timeStatementNonces = [
      ...seen.slice(-(MAX_REMEMBERED_STATEMENTS - 1)),
      { nonce: verified.nonce, expiresAt: verified.expiresAt },
    ];
    this.state.write();
    this.log.warn(
      { previous: new Date(previous).toISOString(), instant: new Date(verified.instant).toISOString() },
      "trusted time set by a signed time statement",
    );
    return { previous, instant: verified.instant };
  }

  // ---- shutdown -------------------------------------------------------------------------

  /** A clear refusal when this store was opened read-only. */
  private writable(what: string): void {
    if (!this.writer) throw new Error(`cannot ${what}: the store was opened read-only`);
  }

  /** Waits for background checkpoint work (for tests and benchmarks; the daemon never waits). */
  settle(): Promise<void> {
    return this.ledger.settle();
  }

  /** Always closes the journal and releases the lock, whatever the checkpoint does. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.ledger.close();
    } finally {
      this.lock.release();
    }
  }
}

function ledgerOptions(opts: CouponStoreOptions) {
  return {
    dataDir: opts.dataDir,
    terminal: opts.terminal,
    voidWindowMs: opts.voidWindowMs,
    log: opts.log,
    ...(opts.snapshotEvery !== undefined ? { checkpointEvery: opts.snapshotEvery } : {}),
    ...(opts.segmentBytes !== undefined ? { segmentBytes: opts.segmentBytes } : {}),
    ...(opts.checkpointIntervalMs !== undefined ? { checkpointIntervalMs: opts.checkpointIntervalMs } : {}),
  };
}

/** The list cache file's content for a verified list (what installPreparedList expects prepared). */
export function listCacheContent(envelope: SignedEnvelope, importedAt: string): string {
  const data: CacheFile = { format: "quan.cache/1", envelope, importedAt };
  return JSON.stringify(data);
}

function openCache(dataDir: string): LowSync<CacheFile> {
  return openDurableDb<CacheFile>(join(dataDir, "coupons.json"), {
    format: "quan.cache/1",
    envelope: null,
    importedAt: null,
  });
}

function openState(dataDir: string): LowSync<StateFile> {
  return openDurableDb<StateFile>(join(dataDir, "state.json"), {
    format: "quan.state/1",
    trustedTime: 0,
  });
}

function noList(basket: BasketInput): BasketVerdict {
  const lines = basket.coupons.map((c) => ({ ok: false as const, code: c.code, reason: "unknown" as const }));
  return { amount: basket.amount, lines, discount: 0, payable: basket.amount, committable: false };
}

/** What the journal keeps of an accepted coupon; a gift's name is kept so the record stands alone. */
function redemptionLine(l: Accepted): RedemptionLine {
  const line: RedemptionLine = { code: l.code, campaign: l.campaign.id, discount: l.discount };
  if (l.otpStep !== undefined) line.otpStep = l.otpStep;
  if (l.gift !== undefined) line.gift = localize(l.gift, "zh-CN");
  return line;
}

/** "37924098 min" / "3 h 5 min": how far apart two instants are, for messages. */
function formatSpan(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
