import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import {
  entryOf,
  type JournalEntry,
  type JournalRecord,
  type RedeemEntry,
  type VoidEntry,
} from "../../../protocol/journal/index.js";
import { dryRunEntry } from "../../ledger/dry-run.js";
import { applyEntry, LedgerError } from "../../ledger/usage.js";
import type { Logger } from "../../log.js";
import { newestCheckpointEvidence } from "../commit-evidence.js";
import { fsyncDirectory } from "../durable-file.js";
import { type CommitEvidence, Journal, type JournalPosition, readJournal } from "../journal.js";
import type { LastRedemption } from "../ledger-port.js";
import {
  type CheckpointFile,
  LEDGER_DIR,
  type LoadedCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  nextTick,
  type RecentRedemption,
  removeObsolete,
  removeObsoleteAsync,
  removeTemps,
  type SegmentSummary,
  writeCheckpointAsync,
  writeCheckpointSync,
} from "./checkpoint.js";
import type { CompactMap, StackedRun } from "./compact-map.js";
import {
  journalFiles,
  LEGACY_JOURNAL,
  type LedgerPosition,
  PositionMismatchError,
  SEGMENT_DIR,
  SegmentedJournal,
  segmentName,
  walkJournal,
} from "./segments.js";
import { mergeRuns, type Run, type RunReads, TableDamagedError } from "./sorted-run.js";
import { isZeroCount, tokenStep, UsageTables } from "./usage-tables.js";

export interface LedgerOptions {
  dataDir: string;
  /** This terminal's id: its newest redemption is the one the menu may void. */
  terminal: string;
  voidWindowMs: number;
  log: Logger;
  /** Commits between checkpoints (default 1000). */
  checkpointEvery?: number;
  /** A checkpoint at least this often when there were commits (default 10 minutes). */
  checkpointIntervalMs?: number;
  /** Segment size at which the journal rolls to the next (default 16 MiB). */
  segmentBytes?: number;
  /** Runs of one level merged into one of the next (default 8). */
  fanOut?: number;
  /** Records committed for sure from elsewhere (an older data directory's snapshot). */
  legacyEvidence?: CommitEvidence | null;
}

/** Spent TOTP tokens are kept this long after their step: far beyond any token's validity. */
const TOKEN_RETENTION_MS = 7 * 24 * 3_600_000;
const TOTP_STEP_MS = 30_000;
/** Changes held in Maps before a rebuild seals them into a run, to bound memory while replaying. */
const REPLAY_SEAL_EVERY = 1 << 16;
/** Merges this small are finished at close rather than left for a daemon. */
const SMALL_MERGE = 1 << 17;
const CHECKPOINT_INTERVAL_MS = 10 * 60_000;
/** Longest slice of background checkpoint work between two turns of the event loop. */
const SLICE_MS = 1;

/** A checkpoint's state as of one journal position, before its runs are built. */
type CheckpointSnapshot = Omit<CheckpointFile, "format" | "names" | "runs"> & {
  /** Redemptions before this instant are past any void: not kept. */
  cutoff: number;
};

/**
 * The ledger: the segmented journal (the truth), the counters derived from it (compact tables,
 * checkpointed off the commit path), and the queries the terminal needs (last redemption, voids,
 * reports). In RAM: the counters' compact tables, the redemptions a void may target, one
 * summary per segment; never every record.
 */
export class Ledger {
  readonly usage: UsageTables;
  /** Redemptions a void may target; `voidSeq`: the record that voided one (for checkpoints). */
  private readonly recent = new Map<
    string,
    Partial<RecentRedemption> & { voided: boolean; seq: number; voidSeq?: number }
  >();
  private lastOwn: LastRedemption | null = null;
  private redemptionCount = 0;
  private readonly segments: SegmentSummary[] = [];
  private sinceCheckpoint = 0;
  /** While a record is folded: a lookup sees only the records before it. */
  private folding = Number.POSITIVE_INFINITY;
  private maxAt = 0;
  /** The clock's latest reading passed in with a commit; null before the first commit. */
  private clock: number | null = null;
  private writing: Promise<void> | null = null;
  private writeAgain = false;
  private merging = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private warming: Promise<void> | null = null;
  /** A counters table failed its check: no checkpoint is written until a start rebuilds them. */
  private damaged = false;
  /** Opened for writing (a read-only one never moves a file). */
  private writer = false;
  private readonly ledgerDir: string;

  private constructor(
    private readonly opts: LedgerOptions,
    /** Null when read-only. */
    private journal: SegmentedJournal | null,
    checkpoint: LoadedCheckpoint | null,
  ) {
    this.ledgerDir = join(opts.dataDir, LEDGER_DIR);
    const redemptions = {
      get: (id: string) => this.recent.get(id) ?? this.lookUpOld(id),
      set: (id: string, v: { voided: boolean; seq: number }) => {
        const known = this.recent.get(id);
        if (known) {
          known.voided = v.voided;
          known.voidSeq = this.folding;
        } else this.recent.set(id, { ...v });
      },
      has: (id: string) => this.recent.has(id),
    };
    const saved = checkpoint?.file;
    this.usage = new UsageTables(redemptions, saved);
    for (const map of this.usage.maps) map.onDamage = (err, file) => this.tableDamaged(err, file);
    if (checkpoint && saved) {
      this.usage.codes.load(checkpoint.runs.codes);
      this.usage.members.load(checkpoint.runs.members);
      this.usage.tokens.load(checkpoint.runs.tokens);
      for (const r of saved.recent) this.recent.set(r.entry.id, { ...r });
      this.lastOwn = saved.lastOwn;
      this.redemptionCount = saved.redemptions;
      this.segments.push(...saved.segments);
      for (const s of saved.segments) this.maxAt = Math.max(this.maxAt, s.maxAt);
    }
  }

  /** Opens for writing: migrates a single-file journal, loads the newest checkpoint, replays after it. */
  static open(opts: LedgerOptions): { ledger: Ledger; warnings: string[] } {
    const ledgerDir = join(opts.dataDir, LEDGER_DIR);
    mkdirSync(join(opts.dataDir, SEGMENT_DIR), { recursive: true });
    mkdirSync(ledgerDir, { recursive: true });
    removeTemps(ledgerDir);
    const migrated = migrateLegacyJournal(opts);
    const checkpoint = newestCheckpoint(ledgerDir, opts.log);
    const evidence = newestCheckpointEvidence(ledgerDir) ?? opts.legacyEvidence ?? null;
    let ledger = new Ledger(opts, null, checkpoint);
    let replayed = 0;
    const visit = (record: JournalRecord, segment: number) => {
      ledger.foldReplayed(record, segment);
      replayed++;
    };
    let opened: ReturnType<typeof SegmentedJournal.open>;
    try {
      opened = SegmentedJournal.open(opts.dataDir, {
        ...(checkpoint ? checkpointStart(checkpoint.file) : {}),
        committed: evidence,
        visit,
        ...(opts.segmentBytes ? { segmentBytes: opts.segmentBytes } : {}),
      });
    } catch (err) {
      if (!(err instanceof PositionMismatchError || err instanceof TableDamagedError) || !checkpoint)
        throw err;
      const last = journalFiles(opts.dataDir).length;
      if (
        err instanceof PositionMismatchError &&
        (checkpoint.file.position.segment > last ||
          walkJournal(opts.dataDir, () => {}).last.seq < checkpoint.file.position.seq)
      )
        throw new Error(
          `the journal in ${join(opts.dataDir, SEGMENT_DIR)} ends before record ${checkpoint.file.position.seq}, which the counters checkpoint ${checkpoint.name} says was committed: the journal was truncated or replaced; restore it from backup`,
        );
      opts.log.warn(
        { checkpoint: checkpoint.name, problem: (err as Error).message },
        "counters checkpoint cannot be used (it does not match the journal, or a table of it is damaged); rebuilding counters from the whole journal",
      );
      ledger = new Ledger(opts, null, null);
      replayed = 0;
      opened = SegmentedJournal.open(opts.dataDir, {
        committed: opts.legacyEvidence ?? null,
        visit,
        ...(opts.segmentBytes ? { segmentBytes: opts.segmentBytes } : {}),
      });
    }
    ledger.journal = opened.journal;
    ledger.writer = true;
    const warnings: string[] = [];
    if (opened.recovered) {
      const { quarantine, ...torn } = opened.recovered;
      opts.log.warn(
        { ...torn, quarantine },
        `journal had a torn last record (power cut mid-write) and nothing says it was committed: it was cut away, its bytes are kept in ${quarantine}`,
      );
    }
    if (opened.newlineRestored)
      opts.log.warn("the journal's last record had lost its end of line; it verified and was kept");
    if (migrated) warnings.push("migrated");
    ledger.sinceCheckpoint = replayed;
    // A long replay (a migration, a lost checkpoint) is not done twice.
    if (replayed >= (opts.checkpointEvery ?? 1000) || migrated) ledger.checkpointNow();
    // A quiet shop's few commits are checkpointed too, so a start never replays hours of them.
    ledger.timer = setInterval(() => {
      if (ledger.sinceCheckpoint > 0 && !ledger.closed) ledger.checkpointSoon();
    }, opts.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS);
    ledger.timer.unref();
    // The checkpoint's tables are read after the start (a replay above may have read some already).
    ledger.warming = nextTick().then(() => ledger.warmUp());
    return { ledger, warnings };
  }

  /**
   * Read-only: takes no lock and writes nothing (not even a migration); a data directory from
   * before segments is read as it is. `reads: "positioned"` (a process that asks about a few codes)
   * looks keys up in the counters tables by small positioned reads instead of reading them whole.
   */
  static openReadOnly(opts: LedgerOptions, reads: RunReads = "load"): Ledger {
    const ledgerDir = join(opts.dataDir, LEDGER_DIR);
    const legacy = journalFiles(opts.dataDir)[0]?.path === join(opts.dataDir, LEGACY_JOURNAL);
    const checkpoint = legacy ? null : newestCheckpoint(ledgerDir, opts.log, reads);
    const ledger = new Ledger(opts, null, checkpoint);
    const visit = (record: JournalRecord, segment: number) => ledger.foldReplayed(record, segment);
    try {
      walkJournal(opts.dataDir, visit, checkpoint?.file.position);
    } catch (err) {
      if (!(err instanceof PositionMismatchError || err instanceof TableDamagedError)) throw err;
      const fresh = new Ledger(opts, null, null);
      walkJournal(opts.dataDir, (r, s) => fresh.foldReplayed(r, s));
      return fresh;
    }
    return ledger;
  }

  // ---- commits ---------------------------------------------------------------------------

  /**
   * Journal first (fsynced), counters after; a checkpoint now and then, off the commit path. An
   * entry the counters would reject (a second void, a redemption id already used, a void of an
   * unknown redemption) is refused before the append: in the journal, every start would replay
   * and reject it again. `clock` is the clock's reading at the commit (the store's `now`); it
   * bounds what is pruned (see pruneReference); without one, the entry's own time stands for it.
   */
  commit(entry: JournalEntry, clock: number = Date.parse(entry.at)): JournalRecord {
    const journal = this.writable("commit");
    try {
      dryRunEntry(this.usage, entry, journal.position.seq, (id) => this.redeemFor(id));
    } catch (err) {
      if (!(err instanceof LedgerError)) throw err;
      throw new LedgerError(`${entry.type} ${entry.id} refused, nothing was written: ${err.message}`);
    }
    if (Number.isFinite(clock)) this.clock = clock;
    const record = journal.append(entry);
    this.fold(record, journal.segmentNo);
    if (++this.sinceCheckpoint >= (this.opts.checkpointEvery ?? 1000)) this.checkpointSoon();
    return record;
  }

  canCommit(): boolean {
    return this.journal?.recover() ?? false;
  }

  private writable(what: string): SegmentedJournal {
    if (!this.journal) throw new Error(`cannot ${what}: the store was opened read-only`);
    return this.journal;
  }

  private foldReplayed(record: JournalRecord, segment: number): void {
    this.fold(record, segment);
    // A rebuild of a long journal must not hold its changes in Maps: sealed and merged as it goes.
    if (
      this.usage.codes.pending + this.usage.members.pending + this.usage.tokens.pending >=
      REPLAY_SEAL_EVERY
    ) {
      this.seal(`r${record.seq}`);
      this.mergeAllNow(Number.POSITIVE_INFINITY);
    }
  }

  private fold(record: JournalRecord, segment: number): void {
    const entry = entryOf(record);
    this.folding = record.seq;
    try {
      applyEntry(this.usage, entry, record.seq, (id) => this.redeemFor(id));
    } finally {
      this.folding = Number.POSITIVE_INFINITY;
    }
    if (entry.type === "redeem") {
      const known = this.recent.get(entry.id);
      if (known) known.entry = entry;
      this.redemptionCount++;
      if (entry.terminal === this.opts.terminal) this.lastOwn = { entry };
    } else if (this.lastOwn?.entry.id === entry.target) {
      this.lastOwn = { entry: this.lastOwn.entry, voidEntry: entry };
    }
    const at = Date.parse(entry.at);
    this.maxAt = Math.max(this.maxAt, at);
    let summary = this.segments.at(-1);
    if (!summary || summary.no !== segment) {
      summary = {
        no: segment,
        firstSeq: record.seq,
        prevHash: record.prev,
        lastSeq: record.seq,
        minAt: at,
        maxAt: at,
      };
      this.segments.push(summary);
    }
    summary.lastSeq = record.seq;
    summary.minAt = Math.min(summary.minAt, at);
    summary.maxAt = Math.max(summary.maxAt, at);
  }

  // ---- queries ---------------------------------------------------------------------------

  lastRedemption(): LastRedemption | undefined {
    return this.lastOwn ?? undefined;
  }

  redemption(id: string): { entry: RedeemEntry; voided: boolean } | undefined {
    const known = this.recent.get(id) ?? this.lookUpOld(id);
    return known?.entry ? { entry: known.entry, voided: known.voided } : undefined;
  }

  get redemptions(): number {
    return this.redemptionCount;
  }

  /** Redemptions and voids with from <= at < to, read from the segments that hold that time. */
  entriesBetween(from: number, to: number): (RedeemEntry | VoidEntry)[] {
    const found: (RedeemEntry | VoidEntry)[] = [];
    for (const s of this.segments) {
      if (s.maxAt < from || s.minAt >= to) continue;
      this.readSegment(s, (record) => {
        const t = Date.parse(record.at);
        if (t >= from && t < to) found.push(entryOf(record));
      });
    }
    return found.sort((a, b) => a.at.localeCompare(b.at));
  }

  private readSegment(s: SegmentSummary, visit: (record: JournalRecord) => void): void {
    const files = journalFiles(this.opts.dataDir);
    const file = files.find((f) => f.no === s.no);
    if (!file) throw new Error(`journal segment ${segmentName(s.no)} is missing`);
    readJournal(file.path, { from: { offset: 0, seq: s.firstSeq - 1, hash: s.prevHash }, onRecord: visit });
  }

  /**
   * A redemption no longer in RAM (older than the void window): looked up in the segments that
   * may hold it or its void, by the instant its ULID carries. Null if the journal has no such one.
   */
  private lookUpOld(id: string): (RecentRedemption & { voidSeq?: number }) | undefined {
    const t = ulidInstant(id);
    let entry: RedeemEntry | undefined;
    let voided = false;
    let seq = 0;
    let voidSeq = 0;
    for (const s of this.segments) {
      if (t !== null && s.maxAt < t) continue;
      if (s.firstSeq >= this.folding) continue;
      this.readSegment(s, (record) => {
        if (record.seq >= this.folding) return;
        if (record.type === "redeem" && record.id === id) {
          entry = entryOf(record) as RedeemEntry;
          seq = record.seq;
        } else if (record.type === "void" && record.target === id) {
          voided = true;
          voidSeq = record.seq;
        }
      });
    }
    return entry ? { entry, voided, seq, ...(voided ? { voidSeq } : {}) } : undefined;
  }

  /** The redemption a void targets: in RAM, or read from the journal (then kept in RAM). */
  private redeemFor(id: string): RedeemEntry | undefined {
    return this.recent.get(id)?.entry ?? this.findRedeem(id);
  }

  private findRedeem(id: string): RedeemEntry | undefined {
    const old = this.lookUpOld(id);
    if (old) this.recent.set(id, old);
    return old?.entry;
  }

  // ---- checkpoints -----------------------------------------------------------------------

  /** Seals the counters' recent changes into runs at once (a replay). */
  private seal(tag: string): void {
    for (const map of this.usage.maps) map.seal(tag);
  }

  /**
   * What a checkpoint holds as of the journal's position now, taken on the commit path: the
   * counters' changes frozen (constant time), small state copied. The rest is built later.
   */
  private snapshot(): CheckpointSnapshot {
    const journal = this.writable("write a counters checkpoint");
    const position = journal.position;
    for (const map of this.usage.maps) map.freeze(String(position.seq));
    this.sinceCheckpoint = 0;
    return {
      position,
      redemptions: this.redemptionCount,
      irregular: [...this.usage.irregular],
      campaigns: [...this.usage.campaignUses],
      recent: [],
      lastOwn: this.lastOwn,
      segments: this.segments.map((s) => ({ ...s })),
      // Redemptions that leave RAM are still found in the journal (lookUpOld): before a clock
      // reading, the newest record's time serves.
      cutoff: (this.pruneReference() ?? this.maxAt) - this.opts.voidWindowMs - 5 * 60_000,
    };
  }

  /** The checkpoint file once the frozen changes are built into runs (the runs in the stack now). */
  private checkpointFile(snap: CheckpointSnapshot): { file: CheckpointFile; runs: StackedRun[] } {
    const files = (m: CompactMap<unknown>) => m.runs.map((r) => r.file);
    const { cutoff: _, ...state } = snap;
    const file: CheckpointFile = {
      format: "quan.ledger/1",
      ...state,
      // After the build: encoding a last use may have added a name.
      names: [...this.usage.dict.names],
      runs: {
        codes: files(this.usage.codes),
        members: files(this.usage.members),
        tokens: files(this.usage.tokens),
      },
    };
    const runs = this.usage.maps.flatMap((m) => m.runs.filter((r) => !r.written));
    return { file, runs };
  }

  /**
   * The redemptions a void may still target as of the checkpoint's position (those committed
   * after it are replayed, and so are voids after it); older ones leave RAM. Sliced when `slices`.
   */
  private async collectRecent(snap: CheckpointSnapshot, slices: boolean): Promise<void> {
    const upTo = snap.position.seq;
    let n = 0;
    for (const [id, r] of this.recent) {
      if (!r.entry || Date.parse(r.entry.at) < snap.cutoff) this.recent.delete(id);
      else if (r.seq <= upTo)
        snap.recent.push({ entry: r.entry, voided: r.voided && (r.voidSeq ?? 0) <= upTo, seq: r.seq });
      if (slices && ++n % 256 === 0) await nextTick();
    }
  }

  /**
   * Reads the tables the start left on disk, off the event loop, checking each one's crc. A
   * damaged one (a lookup in it fails too) sets every checkpoint aside, so the next start
   * rebuilds the counters from the journal.
   */
  private async warmUp(): Promise<void> {
    for (const map of this.usage.maps) {
      for (const { run, file } of [...map.runs]) {
        if (this.closed) return;
        try {
          await run.load();
        } catch (err) {
          this.tableDamaged(err as Error, file);
          return;
        }
      }
    }
  }

  private tableDamaged(err: Error, file: string): void {
    if (this.damaged) return;
    this.damaged = true;
    if (this.writer) {
      try {
        for (const name of listCheckpoints(this.ledgerDir))
          renameSync(join(this.ledgerDir, name), join(this.ledgerDir, `${name}.damaged`));
      } catch (moveErr) {
        this.opts.log.error({ err: moveErr }, "could not set the counters checkpoints aside");
      }
    }
    this.opts.log.error(
      { err, table: file },
      `counters table ${file} failed its check (${err.message}): redemptions that need it are refused; restart the terminal, the counters are rebuilt from the journal at start`,
    );
  }

  /** Starts a checkpoint in the background; the commit that asked for it returns at once. */
  private checkpointSoon(): void {
    if (this.damaged) return;
    if (this.writing) {
      this.writeAgain = true;
      return;
    }
    const snap = this.snapshot();
    this.writing = this.writeInBackground(snap)
      .catch((err: Error) => {
        this.opts.log.warn(
          { err, pendingRecords: this.sinceCheckpoint },
          `could not write the counters checkpoint (${err.message}); the redemptions are safe in the journal, it is tried again later`,
        );
      })
      .finally(() => {
        this.writing = null;
        if (this.writeAgain && !this.closed) {
          this.writeAgain = false;
          this.checkpointSoon();
        }
      });
  }

  /** Builds the frozen changes, writes the runs and the checkpoint: each step a slice at a time. */
  private async writeInBackground(snap: CheckpointSnapshot): Promise<void> {
    await nextTick();
    for (;;) {
      if (this.closed) return;
      const deadline = performance.now() + SLICE_MS;
      if (this.usage.maps.every((m) => m.build(deadline))) break;
      await nextTick();
    }
    if (this.closed) return;
    const { file, runs } = this.checkpointFile(snap);
    this.mergeSoon();
    await this.collectRecent(snap, true);
    if (this.closed) return;
    file.recent = snap.recent;
    const name = await writeCheckpointAsync(this.ledgerDir, runs, file, snap.cutoff, () => this.closed);
    if (name && !this.closed) await removeObsoleteAsync(this.ledgerDir, name, this.runFiles(file));
  }

  /** A checkpoint written before returning (at open after a long replay, at close). */
  private checkpointNow(): void {
    if (this.damaged) return;
    try {
      this.mergeAllNow(SMALL_MERGE);
      const snap = this.snapshot();
      for (const map of this.usage.maps) map.build();
      const { file, runs } = this.checkpointFile(snap);
      // Without slices it runs to the end before it returns.
      void this.collectRecent(snap, false);
      file.recent = snap.recent;
      const name = writeCheckpointSync(this.ledgerDir, runs, file);
      if (!this.writing) removeObsolete(this.ledgerDir, name, this.runFiles(file));
    } catch (err) {
      this.opts.log.warn(
        { err, pendingRecords: this.sinceCheckpoint },
        `could not write the counters checkpoint (${(err as Error).message}); the redemptions are safe in the journal, it is tried again later`,
      );
    }
  }

  /** Run files still needed: by the tables in memory and by the checkpoint just written. */
  private runFiles(written: CheckpointFile): Set<string> {
    const { codes, members, tokens } = written.runs;
    return new Set([
      ...this.usage.maps.flatMap((m) => m.runs.map((r) => r.file)),
      ...codes,
      ...members,
      ...tokens,
    ]);
  }

  /**
   * The instant spent tokens and the redemptions kept in RAM are pruned back from: the earlier of
   * the newest record's time and the clock's latest reading. The newest record alone is not
   * enough: one redemption written while the clock was set days ahead would make a merge forget
   * tokens the corrected clock still accepts (a token is checked against the clock, not against
   * the journal), and so would let them be spent again. Null before the first commit gives a
   * reading (the replay at a start): then no token is pruned, no plausible clock being known yet.
   * A clock set back further than that, or one that is more than 7 days ahead while a merge runs
   * and is put right within a token's step (±30 s) of a token spent just before, is not covered:
   * no bounded table can keep every token every possible clock reading would accept.
   */
  private pruneReference(): number | null {
    return this.clock === null ? null : Math.min(this.maxAt, this.clock);
  }

  private keepFor(map: CompactMap<unknown>): (oldest: boolean) => (run: Run, i: number) => boolean {
    if (map === (this.usage.tokens as CompactMap<unknown>)) {
      const reference = this.pruneReference();
      if (reference === null) return () => () => true;
      const oldestStep = Math.floor((reference - TOKEN_RETENTION_MS) / TOTP_STEP_MS);
      return () => (run, i) => tokenStep(run.key(i)) >= oldestStep;
    }
    return (oldest) => (run, i) => !oldest || !isZeroCount(run, i);
  }

  /** Runs due merges a slice at a time between commits (each slice a couple of ms at most). */
  private mergeSoon(): void {
    if (this.merging || this.closed) return;
    for (const map of this.usage.maps) {
      const inputs = map.mergeCandidate(this.opts.fanOut ?? 8);
      if (!inputs) continue;
      this.merging = true;
      const merge = mergeRuns(
        inputs.map((r) => r.run),
        this.keepFor(map)(map.isOldest(inputs.at(-1) as StackedRun)),
        512,
      );
      const tag = (inputs[0] as StackedRun).file.split("-")[1] as string;
      const step = async () => {
        // Tables a start left on disk are read off the event loop first.
        for (const r of inputs) await r.run.load();
        for (;;) {
          // Never on the commit path that asked for it: the first slice waits a turn too.
          await nextTick();
          if (this.closed) return;
          const started = performance.now();
          let r = merge.next();
          while (!r.done && performance.now() - started < SLICE_MS) r = merge.next();
          if (r.done) {
            map.replace(inputs, r.value, `${tag}m`);
            return;
          }
        }
      };
      step()
        .catch((err: Error) => this.opts.log.warn({ err }, `merging counters tables failed (${err.message})`))
        .finally(() => {
          this.merging = false;
          this.mergeSoon();
        });
      return;
    }
  }

  /** Finishes due merges at once (replay, close), those up to `limit` entries. */
  private mergeAllNow(limit: number): void {
    if (this.merging) return;
    for (const map of this.usage.maps) {
      for (;;) {
        const inputs = map.mergeCandidate(this.opts.fanOut ?? 8);
        if (!inputs || inputs.reduce((n, r) => n + r.run.count, 0) > limit) break;
        const merge = mergeRuns(
          inputs.map((r) => r.run),
          this.keepFor(map)(map.isOldest(inputs.at(-1) as StackedRun)),
          Number.MAX_SAFE_INTEGER,
        );
        let r = merge.next();
        while (!r.done) r = merge.next();
        const tag = (inputs[0] as StackedRun).file.split("-")[1] as string;
        map.replace(inputs, r.value, `${tag}m`);
      }
    }
  }

  /** Whether a checkpoint is on disk (the counters need no rebuild from the whole journal). */
  hasCheckpoint(): boolean {
    return listCheckpoints(this.ledgerDir).length > 0;
  }

  /** Where the next record goes. */
  get position(): LedgerPosition | null {
    return this.journal?.position ?? null;
  }

  /** Waits for a background checkpoint (tests, benchmarks). */
  async settle(): Promise<void> {
    await this.warming;
    while (this.writing || this.merging) {
      await (this.writing ?? nextTick());
    }
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    try {
      if (this.journal && this.sinceCheckpoint > 0) this.checkpointNow();
    } finally {
      this.closed = true;
      this.journal?.close();
    }
  }
}

/** Where a start reads from: the checkpoint's position, and its segment's start as a fallback. */
function checkpointStart(file: CheckpointFile): { from: LedgerPosition; segmentStart?: JournalPosition } {
  const s = file.segments.find((x) => x.no === file.position.segment);
  return s
    ? { from: file.position, segmentStart: { offset: 0, seq: s.firstSeq - 1, hash: s.prevHash } }
    : { from: file.position };
}

function newestCheckpoint(dir: string, log: Logger, reads: RunReads = "load"): LoadedCheckpoint | null {
  const sizes = { codes: 24, members: 4, tokens: 1 };
  for (const name of listCheckpoints(dir)) {
    try {
      return loadCheckpoint(dir, name, sizes, reads);
    } catch (err) {
      log.warn(
        { err, checkpoint: name },
        `counters checkpoint ${name} cannot be used (${(err as Error).message}); trying an older one`,
      );
    }
  }
  return null;
}

/**
 * A data directory from before segments: its journal.log (verified, a torn tail handled as at any
 * start) becomes segment 1 by a rename, so its chain is untouched; the counters are then rebuilt
 * from it once. A crash before the rename changes nothing; after it, the next start rebuilds.
 */
function migrateLegacyJournal(opts: LedgerOptions): boolean {
  const legacy = join(opts.dataDir, LEGACY_JOURNAL);
  const first = join(opts.dataDir, SEGMENT_DIR, segmentName(1));
  if (!existsSync(legacy) || existsSync(first)) return false;
  const opened = Journal.open(legacy, { committed: opts.legacyEvidence ?? null, onRecord: () => {} });
  opened.journal.close();
  if (opened.recovered)
    opts.log.warn(
      { ...opened.recovered },
      `journal had a torn last record; it was cut away, its bytes are kept in ${opened.recovered.quarantine}`,
    );
  renameSync(legacy, first);
  fsyncDirectory(join(opts.dataDir, SEGMENT_DIR));
  fsyncDirectory(opts.dataDir);
  opts.log.info(
    { from: legacy, to: first },
    "journal migrated to segments: the old journal is segment 1, unchanged",
  );
  return true;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The instant a ULID carries, or null for an id that is not one. */
function ulidInstant(id: string): number | null {
  if (id.length !== 26) return null;
  let t = 0;
  for (let i = 0; i < 10; i++) {
    const v = CROCKFORD.indexOf(id[i] as string);
    if (v < 0) return null;
    t = t * 32 + v;
  }
  return t;
}
