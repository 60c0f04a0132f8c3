import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { LowSync } from "lowdb";
import { verifyPin } from "../config/pin.js";
import { parseVerifiedList } from "../coupons/list-schema.js";
import { CouponListError } from "../coupons/list-verify.js";
import { hashMember } from "../coupons/member-hash.js";
import { verifyEnvelope } from "../coupons/signing.js";
import { verifyTimeStatement } from "../coupons/time-statement.js";
import { evaluateBasket } from "../engine/basket.js";
import { buildCouponIndex, type CouponIndex } from "../engine/coupon-index.js";
import { localize } from "../engine/labels.js";
import { type DeltaOutcome, ListDeltaError, type ListHead } from "../engine/list-overlay.js";
import type { TerminalContext } from "../engine/validate.js";
import type { Accepted, BasketVerdict } from "../engine/verdict.js";
import {
  type BasketInput,
  type DayClose,
  type LastRedemption,
  type LedgerPort,
  type LedgerStatus,
  ManagerPinError,
  type PinLockStatus,
  type RedeemResult,
  VoidError,
} from "../flow/ports.js";
import { ulid } from "../ids.js";
import {
  entryOf,
  type JournalEntry,
  type JournalRecord,
  type RedeemEntry,
  type RedemptionLine,
  type VoidEntry,
} from "../ledger/records.js";
import { applyEntry, emptyUsage, type UsageState } from "../ledger/usage.js";
import { restoreUsage, snapshotUsage, type UsageSnapshot } from "../ledger/usage-snapshot.js";
import type { Logger } from "../log.js";
import { acquireDataDirLock, type DataDirLock } from "./data-dir-lock.js";
import { openDurableDb } from "./durable-adapter.js";
import { fsyncDirectory } from "./durable-file.js";
import { Journal, readJournal } from "./journal.js";
import {
  COMPACT_AFTER,
  ListCache,
  type OpenMode,
  type Pinned,
  type PreparedList,
  prepareListImport,
  refuseStale,
  verifyListCache,
} from "./list-cache/list-cache.js";
import { TABLE_FILE } from "./list-cache/table-file.js";
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
  voidWindowMs: number;
  /** scrypt hash of the manager PIN; without one, voids are refused. */
  managerPinHash?: string;
  /** Wrong manager PINs in a row before manager actions lock, and for how long (every door). */
  pinPolicy?: PinPolicy;
  log: Logger;
  /** Counters snapshot cadence, in journal records. */
  snapshotEvery?: number;
  /** Codes the applied deltas may hold before `compactList` folds them in (default COMPACT_AFTER). */
  listCompactAfter?: number;
}

/** The list cache's directory in the data dir (see list-cache/list-cache.ts). */
export const LIST_DIR = "list";
/** Where the list was cached before the compact cache: a lowdb document holding the envelope. */
export const LEGACY_CACHE_FILE = "coupons.json";

interface StateFile {
  format: "quan.state/1";
  /** Latest instant the terminal has reason to trust (epoch ms). */
  trustedTime: number;
  /** Who vouched for it; absent in files written before sources were recorded. */
  trustedSource?: TrustedSource;
  /** Nonce of the last signed time statement imported, so it cannot be imported twice. */
  timeStatementNonce?: string;
  snapshot: UsageSnapshot | null;
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

/**
 * The imperative shell around the coupon engine: the coupon cache (lowdb, durable writes), the
 * journal (append-only, fsynced) and the counters derived from them. Single writer per data
 * directory (a lock file); every commit is on disk before redeem() returns.
 */
export class CouponStore implements LedgerPort {
  private list: ListCache | null = null;
  private indexInForce: CouponIndex | null = null;
  private usage: UsageState = emptyUsage();
  private readonly entries = new Map<string, RedeemEntry>();
  /** The same redemptions in journal order, for "the last one" without a scan of the map. */
  private readonly inOrder: RedeemEntry[] = [];
  private readonly voids: VoidEntry[] = [];
  /** Void by the redemption it compensates. */
  private readonly voidOf = new Map<string, VoidEntry>();
  private readonly log: Logger;
  private sinceSnapshot = 0;
  private closed = false;

  private constructor(
    private readonly opts: CouponStoreOptions,
    /** Null when opened read-only: then nothing is written, not even a torn tail cut away. */
    private readonly journal: Journal | null,
    private readonly state: LowSync<StateFile>,
    private readonly lock: DataDirLock,
  ) {
    this.log = opts.log;
  }

  /**
   * Read-only: for dry runs (`quan coupons check`) while the terminal is running. Takes no lock and
   * writes nothing; what it sees is the journal as far as it was written when it opened. Codes
   * are read from the table file as they are asked for, unless `codes` is "memory".
   */
  static openReadOnly(opts: CouponStoreOptions, codes: OpenMode = "reader"): CouponStore {
    const noLock: DataDirLock = { path: "", release: () => undefined };
    const store = new CouponStore(opts, null, openState(opts.dataDir), noLock);
    store.loadList("read-only", codes);
    store.rebuild(readJournal(join(opts.dataDir, "journal.log")).records);
    return store;
  }

  static open(opts: CouponStoreOptions): CouponStore {
    mkdirSync(opts.dataDir, { recursive: true });
    const lock = acquireDataDirLock(opts.dataDir);
    try {
      const state = openState(opts.dataDir);
      const snapshot = state.data.snapshot;
      const opened = Journal.open(join(opts.dataDir, "journal.log"), {
        committed: snapshot ? { seq: snapshot.seq, source: "the counters snapshot in state.json" } : null,
      });
      if (opened.recovered) {
        const { quarantine, ...torn } = opened.recovered;
        opts.log.warn(
          { ...torn, quarantine },
          `journal had a torn last record (power cut mid-write) and nothing says it was committed: it was cut away, its bytes are kept in ${quarantine}`,
        );
      }
      if (opened.newlineRestored)
        opts.log.warn("the journal's last record had lost its end of line; it verified and was kept");
      const store = new CouponStore(opts, opened.journal, state, lock);
      store.loadList("write");
      store.rebuild(opened.records);
      return store;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  // ---- the coupon list -------------------------------------------------------------------

  private listDir(): string {
    return join(this.opts.dataDir, LIST_DIR);
  }

  /**
   * Loads the list in force. Writing, the table is read into memory (its SHA-256 checked; the
   * signatures are re-verified by `verifyList`, off the hot path). Read-only (`coupons check`),
   * codes are answered from the file by positioned reads, so one code costs a few reads.
   */
  private loadList(
    mode: "write" | "read-only",
    codes: OpenMode = mode === "write" ? "memory" : "reader",
  ): void {
    const dir = this.listDir();
    const started = performance.now();
    if (mode === "write") {
      ListCache.removeStaged(dir);
      this.migrateLegacyCache(dir);
    }
    const list = ListCache.open(dir, this.opts.merchant, this.log, codes);
    if (list) this.install(list);
    else if (mode === "read-only") this.indexInForce = legacyIndex(this.opts.dataDir, this.opts.merchant);
    if (!this.indexInForce) return;
    this.log.info(
      {
        version: this.indexInForce.version,
        codes: this.indexInForce.codes.size,
        ms: Math.round(performance.now() - started),
      },
      "coupon list loaded",
    );
  }

  /**
   * A data dir from before the compact cache holds its list in coupons.json. It is re-verified
   * against the pinned key and built into the new cache once; the old file is removed only after
   * the new table and its directory entry are on disk (a crash in between finds the table and
   * removes the old file then). A list that does not verify stops the start, as it always did.
   */
  private migrateLegacyCache(dir: string): void {
    const legacy = join(this.opts.dataDir, LEGACY_CACHE_FILE);
    if (!existsSync(legacy)) return;
    if (!existsSync(join(dir, TABLE_FILE))) {
      const envelope = readLegacyEnvelope(legacy);
      if (envelope) {
        let prepared: PreparedList;
        try {
          prepared = prepareListImport(dir, Buffer.from(JSON.stringify(envelope)), this.opts.merchant, null);
        } catch (err) {
          throw new Error(
            `${legacy}: the cached coupon list cannot be migrated: ${(err as Error).message} (re-import a signed list)`,
          );
        }
        if (prepared.status === "prepared") ListCache.commit(prepared, this.opts.merchant, this.log).close();
        this.log.info(
          { version: prepared.version, codes: prepared.codes },
          `coupon list migrated from ${LEGACY_CACHE_FILE} to the compact cache in ${LIST_DIR}/`,
        );
      }
    }
    rmSync(legacy);
    fsyncDirectory(this.opts.dataDir);
  }

  private install(list: ListCache): void {
    const old = this.list;
    this.list = list;
    this.indexInForce = list.index();
    if (old !== list) old?.close();
  }

  private listHead(): ListHead | null {
    return this.list?.head ?? null;
  }

  /**
   * What the heavy step of an import needs (`prepareListImport`, which may run in a worker
   * thread): the cache directory, the pinned merchant and the list in force.
   */
  listImportTarget(): { dir: string; pinned: Pinned; inForce: ListHead | null } {
    return { dir: this.listDir(), pinned: { ...this.opts.merchant }, inForce: this.listHead() };
  }

  /**
   * Verifies and installs a signed list: the heavy step then the commit, in this thread (the CLI).
   * A refused list throws CouponListError and changes nothing.
   */
  importList(envelope: string | Buffer, now: number): ImportResult {
    this.writable("import a coupon list");
    const bytes = typeof envelope === "string" ? Buffer.from(envelope, "utf8") : envelope;
    const { dir, pinned, inForce } = this.listImportTarget();
    return this.commitPreparedList(prepareListImport(dir, bytes, pinned, inForce), now);
  }

  /**
   * The cheap step of an import, in the thread that owns the store: re-checks what may have
   * changed since the list was prepared (a newer list in force, the terminal's time), renames the
   * prepared table into place and swaps the index. Until then the old list serves; a refusal or a
   * failure removes the prepared files and leaves it serving.
   */
  commitPreparedList(prepared: PreparedList, now: number): ImportResult {
    let next: ListCache;
    try {
      this.writable("import a coupon list");
      const head = this.listHead();
      if (
        prepared.status === "unchanged" ||
        head?.documentHash === (prepared as { documentHash?: string }).documentHash
      )
        return { status: "unchanged", version: prepared.version, codes: prepared.codes };
      refuseStale(prepared.version, head);
      const issuedAt = Date.parse(prepared.issuedAt);
      this.refuseIssuedAhead(prepared.issuedAt, issuedAt, now);
      next = ListCache.commit(prepared, this.opts.merchant, this.log);
    } catch (err) {
      ListCache.discard(prepared);
      throw err;
    }
    this.install(next);
    this.raiseTrustedTime(this.indexInForce?.issuedAt ?? 0, "list");
    this.log.info({ version: prepared.version, codes: prepared.codes }, "coupon list imported");
    return { status: "imported", version: prepared.version, codes: prepared.codes };
  }

  private refuseIssuedAhead(issuedText: string, issuedAt: number, now: number): void {
    const terminalTime = this.terminalTime(now);
    if (issuedAt > terminalTime + this.maxAheadMs()) {
      throw new CouponListError(
        "issued_ahead",
        `coupon list refused: issued ${issuedText}, ${formatSpan(issuedAt - terminalTime)} ahead of this terminal's time ${new Date(terminalTime).toISOString()} (at most clock.maxAheadHours = ${this.maxAheadMs() / 3_600_000} h): the server's clock or this terminal's is wrong; set the clock (NTP), or import a signed time statement (\`quan time import\`), then import the list again`,
      );
    }
  }

  /**
   * Verifies a signed delta (version N+1 on top of the list in force) and applies it: the overlay
   * file first, then memory; its cost is the delta's size. A refused delta throws ListDeltaError
   * (or CouponListError "issued_ahead") and changes nothing. When `compactDue` comes back true
   * the caller runs `compactList()` later, off the hot path (see there).
   */
  applyDelta(
    envelope: string | Buffer,
    now: number,
  ): { status: DeltaOutcome; version: number; compactDue: boolean } {
    this.writable("apply a coupon list update");
    const list = this.list;
    if (!list) throw new ListDeltaError("wrong_base", "no coupon list in force: a full list is needed first");
    const bytes = typeof envelope === "string" ? Buffer.from(envelope, "utf8") : envelope;
    const result = list.applyDelta(bytes, (delta) =>
      this.refuseIssuedAhead(delta.issuedAt, Date.parse(delta.issuedAt), now),
    );
    if (result.status === "applied") {
      this.indexInForce = list.index();
      this.raiseTrustedTime(this.indexInForce.issuedAt, "list");
      this.log.info({ version: result.version, overlay: list.overlaySize }, "coupon list update applied");
    }
    return { ...result, compactDue: list.overlaySize >= this.compactAfter() };
  }

  /**
   * Folds the applied deltas into a new table once they hold COMPACT_AFTER codes. It reads every
   * code (about a second for a million on a Pi), so it never runs inside a scan or inside
   * applyDelta: whoever applies deltas (the merchant link, issue 8) calls it when applyDelta says
   * `compactDue`, from an idle moment after acknowledging the delta. Until it finishes the table
   * and overlay serve as before; a crash half-way leaves them as they were.
   */
  compactList(): boolean {
    this.writable("compact the coupon list");
    const list = this.list;
    if (!list || list.overlaySize < this.compactAfter()) return false;
    this.install(list.compact(this.log));
    return true;
  }

  private compactAfter(): number {
    return this.opts.listCompactAfter ?? COMPACT_AFTER;
  }

  /**
   * Off the hot path (`quan doctor`, `quan coupons verify`): re-verifies every signed document
   * the cache was built from against the pinned key and rebuilds the table from them, byte for
   * byte. Returns the problems found; none means the cache is the merchant's.
   */
  static verifyList(dataDir: string, pinned: Pinned, log: Logger): string[] {
    return verifyListCache(join(dataDir, LIST_DIR), pinned, log);
  }

  index(): CouponIndex | null {
    return this.indexInForce;
  }

  // ---- validation and commits ------------------------------------------------------------

  private context(now: number): TerminalContext {
    return {
      store: this.opts.store,
      terminal: this.opts.terminal,
      trustedTime: this.trustedTime(),
      clockToleranceMs: this.opts.clockToleranceMs,
      trustedTimeInDoubt: this.trustedTimeInDoubt(now),
    };
  }

  check(basket: BasketInput, now: number): BasketVerdict {
    const index = this.indexInForce;
    if (!index) return noList(basket);
    return evaluateBasket(index, this.usage, basket, now, this.context(now));
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
    this.commit(entry);
    return { committed: true, entry, verdict };
  }

  /** Voids any redemption by id (the technician's `quan void`): manager PIN, void window, once. */
  voidRedemption(id: string, now: number, cashier: string, pin: string): VoidEntry {
    const at = this.terminalTime(now);
    this.refuseWhileLocked(at);
    const found = this.redemption(id);
    if (!found) throw new VoidError("not_found", `no redemption ${id} on this terminal`);
    this.checkManagerPin(pin, at);
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
    this.commit(entry);
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

  private refuseWhileLocked(at: number): void {
    const status = this.pinLock(at);
    if (status.lockedUntil === null) return;
    const minutes = Math.ceil((status.lockedUntil - at) / 60_000);
    throw new ManagerPinError(
      "locked",
      `too many wrong manager PINs: locked until ${new Date(status.lockedUntil).toISOString()} (${minutes} min)`,
      0,
      status.lockedUntil,
    );
  }

  /** One policy for every door: a wrong PIN is counted durably, and enough of them lock manager actions. */
  private checkManagerPin(pin: string, at: number): void {
    this.refuseWhileLocked(at);
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
    if (after.failures !== before.failures || after.lockedUntil !== before.lockedUntil) {
      this.writable("record a manager PIN attempt");
      this.state.data.pinLock = after;
      this.state.write();
    }
    if (ok) return;
    const status = pinLockStatus(after, this.pinPolicy(), at);
    throw new ManagerPinError(
      "bad_pin",
      status.lockedUntil === null
        ? `wrong manager PIN (${status.attemptsLeft} attempts left)`
        : `wrong manager PIN: too many in a row, locked until ${new Date(status.lockedUntil).toISOString()}`,
      status.attemptsLeft,
      status.lockedUntil,
    );
  }

  /**
   * Journal first (fsynced), counters after: a crash in between replays the entry at next start.
   * Once the journal has it the entry is committed, whatever the housekeeping after it does.
   */
  private commit(entry: JournalEntry): JournalRecord {
    const record = this.writable("commit").append(entry);
    this.fold(record);
    if (++this.sinceSnapshot >= (this.opts.snapshotEvery ?? 1000)) this.trySnapshot();
    return record;
  }

  /** Counts a journal record into the usage counters, then keeps its entry. */
  private fold(record: JournalRecord): void {
    applyEntry(this.usage, entryOf(record), record.seq, (id) => this.entries.get(id));
    this.keep(record);
  }

  /** Keeps an entry for queries (voids, reports, last redemption). Its time is not trusted time. */
  private keep(record: JournalRecord): void {
    const entry = entryOf(record);
    if (entry.type === "void") {
      this.voids.push(entry);
      this.voidOf.set(entry.target, entry);
      return;
    }
    this.entries.set(entry.id, entry);
    this.inOrder.push(entry);
  }

  // ---- queries ---------------------------------------------------------------------------

  lastRedemption(): LastRedemption | undefined {
    for (let i = this.inOrder.length - 1; i >= 0; i--) {
      const entry = this.inOrder[i] as RedeemEntry;
      if (entry.terminal !== this.opts.terminal) continue;
      const voidEntry = this.voidOf.get(entry.id);
      return voidEntry ? { entry, voidEntry } : { entry };
    }
    return undefined;
  }

  redemption(id: string): { entry: RedeemEntry; voided: boolean } | undefined {
    const entry = this.entries.get(id);
    return entry ? { entry, voided: this.usage.redemptions.get(id)?.voided ?? false } : undefined;
  }

  entriesBetween(from: number, to: number): (RedeemEntry | VoidEntry)[] {
    const inRange = (e: { at: string }) => {
      const t = Date.parse(e.at);
      return t >= from && t < to;
    };
    return [...[...this.entries.values()].filter(inRange), ...this.voids.filter(inRange)].sort((a, b) =>
      a.at.localeCompare(b.at),
    );
  }

  /**
   * Whether redemptions can be committed now: the journal is open and has not failed, or it failed
   * (a full disk) and its cut-back holds again, so the terminal recovers without a restart.
   */
  canCommit(): boolean {
    return this.journal?.recover() ?? false;
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
    this.checkManagerPin(pin, this.terminalTime(to));
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

  /** The time a commit is recorded at: the later of clock and trusted time, unless that is in doubt. */
  terminalTime(now: number): number {
    return this.trustedTimeInDoubt(now) ? now : Math.max(now, this.trustedTime());
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
      clockTrusted: now >= trusted - this.opts.clockToleranceMs,
      trustedTime: trusted,
      redemptions: this.entries.size,
    };
  }

  /** Called by the daemon when the clock is known good (NTP synchronised) to carry trust across reboots. */
  raiseTrustedTime(instant: number, source: TrustedSource = "ntp"): void {
    if (instant <= this.state.data.trustedTime) return;
    this.writable("record the trusted time");
    this.state.data.trustedTime = instant;
    this.state.data.trustedSource = source;
    this.state.write();
  }

  /**
   * Sets the trusted time from a signed time statement (see coupons/time-statement.ts): the
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
    const previous = this.state.data.trustedTime;
    this.state.data.trustedTime = verified.instant;
    this.state.data.trustedSource = "statement";
    this.state.data.timeStatementNonce = verified.nonce;
    this.state.write();
    this.log.warn(
      { previous: new Date(previous).toISOString(), instant: new Date(verified.instant).toISOString() },
      "trusted time set by a signed time statement",
    );
    return { previous, instant: verified.instant };
  }

  // ---- start-up and shutdown --------------------------------------------------------------

  private rebuild(records: readonly JournalRecord[]): void {
    const snap = this.state.data.snapshot;
    const usable = snap && snap.seq <= records.length && records[snap.seq - 1]?.hash === snap.hash;
    if (snap && !usable) {
      if (snap.seq > records.length) {
        throw new Error(
          `journal ${join(this.opts.dataDir, "journal.log")} has ${records.length} records but the counters snapshot is at record ${snap.seq}: the journal was truncated or replaced; restore it from backup`,
        );
      }
      this.log.warn(
        { snapshotSeq: snap.seq },
        "counters snapshot does not match the journal; rebuilding counters from the whole journal",
      );
    }
    this.usage = usable && snap ? restoreUsage(snap) : emptyUsage();
    const from = usable && snap ? snap.seq : 0;
    // Records up to the snapshot are already in its counters: kept, not counted again.
    for (const record of records) {
      if (record.seq <= from) this.keep(record);
      else this.fold(record);
    }
  }

  /** The journal, or a clear refusal when this store was opened read-only. */
  private writable(what: string): Journal {
    if (!this.journal) throw new Error(`cannot ${what}: the store was opened read-only`);
    return this.journal;
  }

  private writeSnapshot(): void {
    const journal = this.writable("write the counters snapshot");
    this.state.data.snapshot = snapshotUsage(this.usage, journal.lastSeq, journal.lastHash);
    this.state.write();
    this.sinceSnapshot = 0;
  }

  /**
   * The snapshot only shortens the next start (the journal is the truth): a failure (a full disk)
   * is logged, and tried again at the next commit and at close.
   */
  private trySnapshot(): void {
    try {
      this.writeSnapshot();
    } catch (err) {
      this.log.warn(
        { err, pendingRecords: this.sinceSnapshot },
        `could not write the counters snapshot (${(err as Error).message}); the redemptions are safe in the journal, it is tried again later`,
      );
    }
  }

  /** Always closes the journal and releases the lock, whatever the snapshot does. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.sinceSnapshot > 0 && this.journal) this.trySnapshot();
      this.journal?.close();
    } finally {
      this.list?.close();
      this.lock.release();
    }
  }
}

/** The envelope a data dir from before the compact cache holds, or null when it holds none. */
function readLegacyEnvelope(file: string): unknown {
  let cache: { envelope?: unknown };
  try {
    cache = JSON.parse(readFileSync(file, "utf8")) as { envelope?: unknown };
  } catch (err) {
    throw new Error(`${file}: the old coupon list cache does not parse (${(err as Error).message})`);
  }
  return cache?.envelope ?? null;
}

/**
 * Read-only on a data dir not yet migrated (no writer has opened it since the upgrade): the old
 * cache's list, verified and indexed in memory as before.
 */
function legacyIndex(dataDir: string, pinned: Pinned): CouponIndex | null {
  const file = join(dataDir, LEGACY_CACHE_FILE);
  if (!existsSync(file)) return null;
  const envelope = readLegacyEnvelope(file);
  return envelope ? buildCouponIndex(parseVerifiedList(verifyEnvelope(envelope, pinned.publicKey))) : null;
}

function openState(dataDir: string): LowSync<StateFile> {
  return openDurableDb<StateFile>(join(dataDir, "state.json"), {
    format: "quan.state/1",
    trustedTime: 0,
    snapshot: null,
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
