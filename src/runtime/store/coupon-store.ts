import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { LowSync } from "lowdb";
import { CouponListError, parseVerifiedList } from "../../protocol/coupon-list/index.js";
import { verifyEnvelope } from "../../protocol/envelope/index.js";
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
import { type DeltaOutcome, ListDeltaError, type ListHead } from "../engine/list-overlay.js";
import type { TerminalContext } from "../engine/validate.js";
import type { Accepted, BasketVerdict } from "../engine/verdict.js";
import { ulid } from "../ids.js";
import type { LegacyUsageSnapshot } from "../ledger/usage-snapshot.js";
import type { Logger } from "../log.js";
import { formatLocalDateTime } from "../time/zoned.js";
import { snapshotEvidence } from "./commit-evidence.js";
import { acquireDataDirLock, type DataDirLock } from "./data-dir-lock.js";
import { openDurableDb } from "./durable-adapter.js";
import { fsyncDirectory } from "./durable-file.js";
import { GENESIS_HASH } from "./journal.js";
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
  COMPACT_AFTER,
  ListCache,
  type OpenMode,
  type Pinned,
  type PreparedCompaction,
  type PreparedList,
  prepareListImport,
  refuseStale,
  verifyListCache,
} from "./list-cache/list-cache.js";
import { TABLE_FILE } from "./list-cache/table-file.js";
import { type PeerOutcome, PeerUsage, withPeerUsage } from "./peer-usage.js";
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
  /** The link's offline policy; absent: no link, the terminal is never "offline". */
  offlinePolicy?: { maxListAgeMs: number | null };
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
  /** Codes the applied deltas may hold before `compactList` folds them in (default COMPACT_AFTER). */
  listCompactAfter?: number;
}

/** The list cache's directory in the data dir (see list-cache/list-cache.ts). */
export const LIST_DIR = "list";
/** Where the list was cached before the compact cache: a lowdb document holding the envelope. */
export const LEGACY_CACHE_FILE = "coupons.json";

interface StateFile {
  format: "quan.state/1";
  /** When the merchant link was last up (epoch ms): until then the list in force was known current. */
  lastOnlineAt?: number;
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
 * The imperative shell around the coupon engine: the coupon list cache (list-cache/) and the
 * ledger (store/ledger/: the segmented journal, append-only and fsynced, and the counters derived
 * from it). Single writer per data directory (a lock file); every commit is on disk before
 * redeem() returns.
 */
export class CouponStore implements LedgerPort {
  private list: ListCache | null = null;
  private indexInForce: CouponIndex | null = null;
  private readonly log: Logger;
  private closed = false;
  /** Until the link says otherwise, a linked terminal counts as offline. */
  private online = false;

  private constructor(
    private readonly opts: CouponStoreOptions,
    /** Read-only when opened so: then nothing is written, not even a torn tail cut away. */
    private readonly ledger: Ledger,
    private readonly writer: boolean,
    private readonly state: LowSync<StateFile>,
    private readonly lock: DataDirLock,
    /** What the store's other tills redeemed, as the merchant forwarded it. */
    private readonly peers: PeerUsage,
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
    // A dry run asks about a few codes: their usage is read from the counters tables by small reads.
    const ledger = Ledger.openReadOnly(ledgerOptions(opts), codes === "reader" ? "positioned" : "load");
    const store = new CouponStore(
      opts,
      ledger,
      false,
      openState(opts.dataDir),
      noLock,
      PeerUsage.open(opts.dataDir, false),
    );
    store.loadList("read-only", codes);
    return store;
  }

  static open(opts: CouponStoreOptions): CouponStore {
    mkdirSync(opts.dataDir, { recursive: true });
    const lock = acquireDataDirLock(opts.dataDir);
    try {
      const state = openState(opts.dataDir);
      const snapshot = state.data.snapshot;
      const { ledger } = Ledger.open({
        ...ledgerOptions(opts),
        legacyEvidence: snapshotEvidence(snapshot),
      });
      const store = new CouponStore(opts, ledger, true, state, lock, PeerUsage.open(opts.dataDir, true));
      // The snapshot of all history is gone once a checkpoint stands in for it.
      if (snapshot !== undefined && ledger.hasCheckpoint()) {
        delete state.data.snapshot;
        state.write();
      }
      store.loadList("write");
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

  /** The list in force: version and the hash of its signed document (null before the first). */
  listHead(): ListHead | null {
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
    const synchronized = this.synchronized();
    try {
      this.writable("import a coupon list");
      const head = this.listHead();
      if (
        prepared.status === "unchanged" ||
        head?.documentHash === (prepared as { documentHash?: string }).documentHash
      )
        return { status: "unchanged", version: prepared.version, codes: prepared.codes };
      refuseStale(prepared.version, head);
      this.refuseIssuedAhead(prepared.issuedAt, Date.parse(prepared.issuedAt), now, synchronized);
      next = ListCache.commit(prepared, this.opts.merchant, this.log);
    } catch (err) {
      ListCache.discard(prepared);
      throw err;
    }
    this.install(next);
    this.listDated(prepared.version, prepared.issuedAt, now, synchronized);
    this.log.info({ version: prepared.version, codes: prepared.codes }, "coupon list imported");
    return { status: "imported", version: prepared.version, codes: prepared.codes };
  }

  /** A list now in force (full or delta): its date feeds trusted time as far as the clock rules allow. */
  private listDated(version: number, issuedText: string, now: number, synchronized: boolean): void {
    const issuedAt = Date.parse(issuedText);
    if (!synchronized) this.raiseTrustedTime(issuedAt, "list");
    else if (issuedAt <= now + this.opts.clockToleranceMs)
      this.raiseTrustedTime(Math.min(issuedAt, now), "list");
    else
      this.log.warn(
        { version, issuedAt: issuedText },
        `the server's clock is ${formatSpan(issuedAt - now)} ahead: list ${version} is dated ${issuedText}, this terminal's NTP-synchronised clock says ${new Date(now).toISOString()}; the list is in force but its date is not taken as the time (fix the server's clock)`,
      );
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
    const synchronized = this.synchronized();
    let issuedText = "";
    const result = list.applyDelta(bytes, (delta) => {
      issuedText = delta.issuedAt;
      this.refuseIssuedAhead(delta.issuedAt, Date.parse(delta.issuedAt), now, synchronized);
    });
    if (result.status === "applied") {
      this.indexInForce = list.index();
      this.listDated(result.version, issuedText, now, synchronized);
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

  /**
   * What a compaction in a worker thread needs (`prepareCompaction`), once the applied deltas hold
   * the threshold's codes; null before that (or read-only).
   */
  listCompactionTarget(): { dir: string; pinned: Pinned } | null {
    const list = this.list;
    if (!this.writer || !list || list.overlaySize < this.compactAfter()) return null;
    return { dir: this.listDir(), pinned: { ...this.opts.merchant } };
  }

  /**
   * The cheap step of a compaction prepared in a worker: the new table replaces the old one (a
   * rename), deltas applied meanwhile stay on top of it. False, and nothing changed, when the list
   * changed under it (a new full list); the old table and overlay keep serving until then.
   */
  commitListCompaction(prepared: PreparedCompaction): boolean {
    this.writable("compact the coupon list");
    const next = this.list?.commitCompaction(prepared, this.log) ?? null;
    if (!next) {
      rmSync(prepared.stagedTable, { force: true });
      return false;
    }
    this.install(next);
    this.log.info({ version: prepared.head.version, folded: prepared.folded }, "coupon list compacted");
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

  /**
   * The merchant link came up or went down at `now`. While it is up the list in force is known
   * current; the moment it was last up is kept on disk, so a restart while offline does not make
   * an old list look fresh (a crash while up leaves the moment it came up: the earlier, the safer).
   */
  setOnline(online: boolean, now: number): void {
    if (online !== this.online && this.writer) {
      this.state.data.lastOnlineAt = Math.max(this.state.data.lastOnlineAt ?? 0, now);
      this.state.write();
    }
    this.online = online;
  }

  private offlineRules(now: number): TerminalContext["offline"] {
    const policy = this.opts.offlinePolicy;
    if (!policy || this.online) return undefined;
    const issuedAt = this.indexInForce?.issuedAt ?? null;
    const knownCurrentAt = Math.max(issuedAt ?? 0, this.state.data.lastOnlineAt ?? 0);
    const listStale =
      policy.maxListAgeMs !== null && issuedAt !== null && now - knownCurrentAt > policy.maxListAgeMs;
    // The merchant's onlineOnly is its rule: no terminal setting turns it off.
    return { refuseOnlineOnly: true, listStale };
  }

  private context(now: number): TerminalContext {
    // A synchronised clock is the authority: no trusted time ahead of it counts.
    const synchronized = this.synchronized();
    const offline = this.offlineRules(now);
    return {
      ...(offline ? { offline } : {}),
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
    const usage =
      this.peers.count > 0 ? withPeerUsage(this.ledger.usage, this.peers.usage) : this.ledger.usage;
    return evaluateBasket(index, usage, basket, now, this.context(now));
  }

  /**
   * A redemption or void another till of the store made, forwarded by the merchant: on disk,
   * then counted (a code it used is refused here as used there). Never this till's own record.
   */
  applyPeerEntry(entry: JournalEntry): PeerOutcome {
    this.writable("apply another till's redemption");
    if (entry.terminal === this.opts.terminal) return "duplicate";
    return this.peers.apply(entry);
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

  /** The chain head: seq and hash of the newest record (seq 0 before the first). */
  journalHead(): { seq: number; hash: string } {
    const p = this.ledger.position;
    return p ? { seq: p.seq, hash: p.hash } : { seq: 0, hash: GENESIS_HASH };
  }

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
      this.peers.close();
      this.list?.close();
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
