import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import type { JournalEntry, JournalRecord } from "../../../protocol/journal/index.js";
import {
  type CommitEvidence,
  GENESIS_HASH,
  Journal,
  JournalCorruptError,
  type JournalPosition,
  readJournal,
  type TornTail,
} from "../journal.js";

/**
 * The journal in segments: DATA/journal/000001.log, 000002.log, ... Each is a journal file of its
 * own format (see ../journal.ts); the chain runs on across them: a segment's first record has as
 * `prev` the hash of the previous segment's last record, and seq never restarts. Only the last
 * segment is appended to; a full one is left as it is (nothing is ever deleted here) and the next
 * one begins. A start reads from a checkpoint's position on, never the segments before it.
 */

export const SEGMENT_DIR = "journal";
/** The single-file journal of data directories written before segments. */
export const LEGACY_JOURNAL = "journal.log";
/** Segment size at which the next one begins (a few tens of thousands of records). */
export const DEFAULT_SEGMENT_BYTES = 16 << 20;

const SEGMENT_NAME = /^(\d{6,})\.log$/;

export const segmentName = (no: number) => `${String(no).padStart(6, "0")}.log`;

/** A position between two records of the segmented journal. */
export interface LedgerPosition extends JournalPosition {
  segment: number;
}

export interface SegmentFile {
  no: number;
  path: string;
}

/**
 * The journal's files, oldest first, numbered from 1 without gaps (a missing one is damage). A
 * data directory from before segments has only journal.log: it is read as segment 1.
 */
export function journalFiles(dataDir: string): SegmentFile[] {
  const dir = join(dataDir, SEGMENT_DIR);
  const numbers = existsSync(dir)
    ? readdirSync(dir)
        .map((name) => SEGMENT_NAME.exec(name)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b)
    : [];
  if (numbers.length === 0) {
    const legacy = join(dataDir, LEGACY_JOURNAL);
    return existsSync(legacy) ? [{ no: 1, path: legacy }] : [];
  }
  numbers.forEach((no, i) => {
    if (no !== i + 1) {
      const missing = join(dir, segmentName(i + 1));
      throw new JournalCorruptError(
        missing,
        0,
        0,
        `journal segment ${segmentName(i + 1)} is missing (found ${segmentName(no)} after it): the journal was truncated or replaced`,
      );
    }
  });
  return numbers.map((no) => ({ no, path: join(dir, segmentName(no)) }));
}

/** A checkpoint's position does not name the record the journal holds there. */
export class PositionMismatchError extends Error {
  override name = "PositionMismatchError";
}

export type RecordVisitor = (record: JournalRecord, segment: number) => void;

export interface WalkResult {
  /** Seq and hash of the last record. */
  last: { seq: number; hash: string };
  segments: number;
  /** A torn last record of the last segment (never of an earlier one: that is damage). */
  torn: TornTail | null;
}

/**
 * Reads and verifies every record from `from` (default: the first) to the end, across segments,
 * without changing anything. Damage anywhere, or a torn record anywhere but at the very end,
 * throws JournalCorruptError.
 */
export function walkJournal(dataDir: string, visit: RecordVisitor, from?: LedgerPosition): WalkResult {
  const files = journalFiles(dataDir);
  let position: JournalPosition = from ?? { offset: 0, seq: 0, hash: GENESIS_HASH };
  const startAt = from?.segment ?? 1;
  if (from && !files.some((f) => f.no === from.segment))
    throw new PositionMismatchError(`journal segment ${segmentName(from.segment)} does not exist`);
  let torn: TornTail | null = null;
  for (const file of files) {
    if (file.no < startAt) continue;
    if (from && file.no === from.segment) {
      if (statSync(file.path).size < from.offset)
        throw new PositionMismatchError(`${file.path} ends before byte ${from.offset}`);
      checkRecordBefore(files, file, position);
    }
    const contents = readJournal(file.path, { from: position, onRecord: (r) => visit(r, file.no) });
    if (contents.torn && file.no !== files.at(-1)?.no) {
      throw new JournalCorruptError(
        file.path,
        contents.torn.line,
        contents.torn.offset,
        `${contents.torn.reason}, but later segments follow it: the segment was damaged after it was written`,
      );
    }
    torn = contents.torn;
    position = { offset: 0, seq: contents.lastSeq, hash: contents.lastHash };
  }
  return { last: { seq: position.seq, hash: position.hash }, segments: files.length, torn };
}

export interface SegmentedOpenOptions {
  /** Read from here on (a checkpoint's position); default the first record. */
  from?: LedgerPosition;
  /**
   * The start of `from`'s segment (offset 0, the seq and hash before its first record): read from
   * there, without visiting the records up to `from`, when the segment is now shorter than
   * `from.offset` (its last record lost its newline, or worse: decided as at any start).
   */
  segmentStart?: JournalPosition;
  committed?: CommitEvidence | null;
  visit: RecordVisitor;
  segmentBytes?: number;
}

export interface OpenedSegments {
  journal: SegmentedJournal;
  recovered: TornTail | null;
  newlineRestored: boolean;
}

/** The writable segmented journal: appends go to the last segment, a full one rolls to the next. */
export class SegmentedJournal {
  private constructor(
    private readonly dataDir: string,
    private segment: number,
    private current: Journal,
    private readonly segmentBytes: number,
  ) {}

  /**
   * Verifies the segments from `from` on (the sealed ones read-only, the last one opened for
   * append, its torn tail handled as Journal.open does), creating segment 1 in an empty journal.
   * Throws PositionMismatchError when `from` does not name the record the journal holds there.
   */
  static open(dataDir: string, opts: SegmentedOpenOptions): OpenedSegments {
    const files = journalFiles(dataDir);
    if (files[0]?.path === join(dataDir, LEGACY_JOURNAL))
      throw new Error(`${join(dataDir, LEGACY_JOURNAL)} must be migrated to segments before it is opened`);
    const last = files.at(-1);
    const sealed = files.slice(0, -1);
    const from = opts.from;
    let position: JournalPosition = from ?? { offset: 0, seq: 0, hash: GENESIS_HASH };
    const startAt = from?.segment ?? 1;
    const startFile = files.find((f) => f.no === startAt);
    if (from && !startFile)
      throw new PositionMismatchError(`journal segment ${segmentName(startAt)} does not exist`);
    let visit = opts.visit;
    let checkBefore = from !== undefined;
    if (from && startFile && statSync(startFile.path).size < from.offset) {
      if (!opts.segmentStart)
        throw new PositionMismatchError(`${startFile.path} ends before byte ${from.offset}`);
      position = opts.segmentStart;
      checkBefore = false;
      // The records up to `from` are verified again, not counted again; the one at `from` must be it.
      visit = (record, segment) => {
        if (record.seq === from.seq && record.hash !== from.hash)
          throw new PositionMismatchError(`record ${from.seq} is not the one the checkpoint names`);
        if (record.seq > from.seq) opts.visit(record, segment);
      };
    }
    for (const file of sealed) {
      if (file.no < startAt) continue;
      if (file.no === startAt && checkBefore) checkRecordBefore(files, file, position);
      const contents = readJournal(file.path, { from: position, onRecord: (r) => visit(r, file.no) });
      if (contents.torn) {
        throw new JournalCorruptError(
          file.path,
          contents.torn.line,
          contents.torn.offset,
          `${contents.torn.reason}, but later segments follow it: the segment was damaged after it was written`,
        );
      }
      position = { offset: 0, seq: contents.lastSeq, hash: contents.lastHash };
    }
    const no = last?.no ?? 1;
    const path = join(dataDir, SEGMENT_DIR, segmentName(no));
    if (last && no === startAt && checkBefore) checkRecordBefore(files, last, position);
    const opened = Journal.open(path, {
      from: position,
      committed: opts.committed ?? null,
      onRecord: (r) => visit(r, no),
    });
    const journal = new SegmentedJournal(
      dataDir,
      no,
      opened.journal,
      opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
    );
    return { journal, recovered: opened.recovered, newlineRestored: opened.newlineRestored };
  }

  get lastSeq(): number {
    return this.current.lastSeq;
  }

  get lastHash(): string {
    return this.current.lastHash;
  }

  get position(): LedgerPosition {
    return { segment: this.segment, ...this.current.position };
  }

  /** The segment being appended to. */
  get segmentNo(): number {
    return this.segment;
  }

  recover(): boolean {
    return this.current.recover();
  }

  /** Commits the entries (one write, one fdatasync); a full segment first rolls to the next. */
  appendMany(entries: readonly JournalEntry[]): JournalRecord[] {
    if (this.current.position.offset >= this.segmentBytes && this.current.writable) this.roll();
    return this.current.appendMany(entries);
  }

  append(entry: JournalEntry): JournalRecord {
    return this.appendMany([entry])[0] as JournalRecord;
  }

  /** Starts the next segment (created and synced, directory too) chained to the last record. */
  private roll(): void {
    const no = this.segment + 1;
    const { seq, hash } = this.current.position;
    const opened = Journal.open(join(this.dataDir, SEGMENT_DIR, segmentName(no)), {
      from: { offset: 0, seq, hash },
    });
    this.current.close();
    this.current = opened.journal;
    this.segment = no;
  }

  close(): void {
    this.current.close();
  }
}

/**
 * The record just before `position` must be the one it names (seq and hash): a checkpoint
 * tagged with a position the journal does not hold there (the journal was replaced, or the
 * checkpoint belongs to another one) is refused rather than trusted.
 */
function checkRecordBefore(files: SegmentFile[], file: SegmentFile, position: JournalPosition): void {
  if (position.seq === 0) {
    if (position.offset !== 0 || file.no !== 1)
      throw new PositionMismatchError("a position before the first record must be at the very start");
    return;
  }
  let path = file.path;
  let end = position.offset;
  if (end === 0) {
    const before = files.find((f) => f.no === file.no - 1);
    if (!before) throw new PositionMismatchError(`no segment before ${segmentName(file.no)}`);
    path = before.path;
    end = -1;
  }
  const line = lastLineBefore(path, end);
  const tab = line.lastIndexOf("\t");
  const hash = line.slice(tab + 1);
  let seq: unknown;
  try {
    seq = (JSON.parse(line.slice(0, tab)) as { seq?: unknown }).seq;
  } catch {
    seq = undefined;
  }
  if (tab < 0 || hash !== position.hash || seq !== position.seq)
    throw new PositionMismatchError(
      `the journal does not hold record ${position.seq} with hash ${position.hash.slice(0, 12)}… at ${path}:${end}`,
    );
}

/** The line ending just before byte `end` (-1: the end of the file), without its newline. */
function lastLineBefore(path: string, end: number): string {
  const fd = openSync(path, "r");
  try {
    const size = end >= 0 ? end : fstatSync(fd).size;
    const window = Math.min(size, 1 << 16);
    const bytes = Buffer.alloc(window);
    let read = 0;
    while (read < window) {
      const n = readSync(fd, bytes, read, window - read, size - window + read);
      if (n === 0) break;
      read += n;
    }
    const text = bytes.subarray(0, read);
    const body = text[text.length - 1] === 0x0a ? text.subarray(0, -1) : text;
    return body.subarray(body.lastIndexOf(0x0a) + 1).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
