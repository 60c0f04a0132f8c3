import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { JournalEntry, JournalRecord } from "../../protocol/journal/index.js";
import { fsyncDirectory, writeAll, writeFileDurable } from "./durable-file.js";

/**
 * The append-only redemption journal. One record per line:
 *
 *     {"seq":12,"prev":"<sha256 of line 11's JSON>",...entry}\t<sha256 of this JSON>\n
 *
 * The trailing hash catches a torn or damaged line; `prev` chains every record to the one before,
 * so deleting, reordering or editing a record anywhere breaks verification. Hashes are always of
 * the stored bytes, never of a re-serialisation.
 */

export const GENESIS_HASH = "0".repeat(64);
const NEWLINE = 0x0a;
const TAB = 0x09;
/** Tab plus 64 hex digits. */
const CHECKSUM_LENGTH = 65;
const DEFAULT_CHUNK_SIZE = 1 << 20;

export class JournalCorruptError extends Error {
  override name = "JournalCorruptError";
  constructor(
    readonly path: string,
    /** 1-based line number. */
    readonly line: number,
    /** Byte offset where the line starts. */
    readonly offset: number,
    readonly problem: string,
  ) {
    super(
      `journal ${path} is damaged at line ${line} (byte ${offset}): ${problem}. Refusing to start; restore the journal from backup or inspect it with \`quan journal verify\``,
    );
  }
}

/** An append whose write or fdatasync failed: nothing was committed, and the handle is unusable. */
export class JournalWriteError extends Error {
  override name = "JournalWriteError";
}

/** A last record cut short by a power loss or crash mid-write, with nothing saying it was committed. */
export interface TornTail {
  /** Byte offset where the torn record starts (the file is cut back to here). */
  offset: number;
  /** 1-based line number of the torn record. */
  line: number;
  droppedBytes: number;
  reason: string;
  /** Where the cut bytes were kept (set once Journal.open has cut them away). */
  quarantine?: string;
}

export interface JournalContents {
  records: JournalRecord[];
  torn: TornTail | null;
  /** Length of the verified part of the file. */
  validBytes: number;
  /**
   * The last record is whole and verifies by its own hash but lost its final newline: it was
   * committed (a torn write never produces a line whose checksum matches), so it is kept.
   */
  missingNewline: boolean;
  /** Seq and hash of the last verified record (the `from` position's when none was read). */
  lastSeq: number;
  lastHash: string;
}

/**
 * What the caller knows from elsewhere (a counters checkpoint, or the legacy snapshot in state.json):
 * records up to `seq` were committed.
 */
export interface CommitEvidence {
  seq: number;
  /** Names the evidence in the refusal, e.g. "the counters checkpoint checkpoint-….json". */
  source: string;
}

export type JournalVerification =
  | { ok: true; records: number; lastHash: string; torn: TornTail | null }
  | { ok: false; line: number; offset: number; problem: string };

export interface JournalReadOptions {
  /** Bytes read at a time (default 1 MiB); the whole file is never held in memory. */
  chunkSize?: number;
  /**
   * Where reading starts, for a segment of a longer journal or a tail after a checkpoint: the
   * byte offset of a record's start, the seq of the record before it and that record's hash.
   */
  from?: JournalPosition;
  /**
   * Called for each verified record instead of collecting them (`records` stays empty): a long
   * journal is never held in memory.
   */
  onRecord?: (record: JournalRecord, offset: number, length: number) => void;
}

/** A point between two records: what a record read from `offset` must continue. */
export interface JournalPosition {
  offset: number;
  /** Seq of the record just before `offset` (0 at the very start of the journal). */
  seq: number;
  /** Hash of that record (GENESIS_HASH at the very start). */
  hash: string;
}

export const JOURNAL_START: JournalPosition = { offset: 0, seq: 0, hash: "0".repeat(64) };

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * Reads and verifies the whole journal without changing it. Damage before the last line throws
 * JournalCorruptError; a torn last line is reported in `torn`. A missing file is an empty journal.
 */
export function readJournal(path: string, opts: JournalReadOptions = {}): JournalContents {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      return {
        records: [],
        torn: null,
        validBytes: 0,
        missingNewline: false,
        lastSeq: opts.from?.seq ?? 0,
        lastHash: opts.from?.hash ?? GENESIS_HASH,
      };
    throw err;
  }
  try {
    return scanJournal(fd, path, opts);
  } finally {
    closeSync(fd);
  }
}

/** For `quan journal verify`: the same checks as opening, as a result instead of an exception. */
export function verifyJournal(path: string, opts: JournalReadOptions = {}): JournalVerification {
  try {
    let count = 0;
    let lastHash = opts.from?.hash ?? GENESIS_HASH;
    const { torn } = readJournal(path, {
      ...opts,
      onRecord: (record) => {
        count++;
        lastHash = record.hash;
        opts.onRecord?.(record, 0, 0);
      },
    });
    return { ok: true, records: count, lastHash, torn };
  } catch (err) {
    if (err instanceof JournalCorruptError)
      return { ok: false, line: err.line, offset: err.offset, problem: err.problem };
    throw err;
  }
}

interface Line {
  offset: number;
  bytes: Buffer;
  /** False for trailing bytes with no newline after them. */
  terminated: boolean;
}

/** The file's lines, read a chunk at a time; a line spanning chunks is joined once (no quadratic copying). */
function* readLines(fd: number, chunkSize: number, start: number): Generator<Line> {
  const chunk = Buffer.alloc(chunkSize);
  let pending: Buffer[] = [];
  let lineOffset = start;
  let position = start;
  for (;;) {
    const n = readSync(fd, chunk, 0, chunkSize, position);
    if (n === 0) break;
    position += n;
    let from = 0;
    for (;;) {
      const newline = chunk.subarray(0, n).indexOf(NEWLINE, from);
      if (newline === -1) {
        if (from < n) pending.push(Buffer.from(chunk.subarray(from, n)));
        break;
      }
      const tail = chunk.subarray(from, newline);
      const bytes = pending.length > 0 ? Buffer.concat([...pending, tail]) : Buffer.from(tail);
      pending = [];
      yield { offset: lineOffset, bytes, terminated: true };
      lineOffset += bytes.length + 1;
      from = newline + 1;
    }
  }
  if (pending.length > 0) yield { offset: lineOffset, bytes: Buffer.concat(pending), terminated: false };
}

type ParsedLine = { record: JournalRecord } | { problem: string };

/** Checks one line on its own: checksum, then JSON. The chain is checked by the caller. */
function parseLine(bytes: Buffer): ParsedLine {
  const tab = bytes.length - CHECKSUM_LENGTH;
  if (tab < 0 || bytes[tab] !== TAB) return { problem: "no checksum at the end of the line" };
  const json = bytes.subarray(0, tab);
  const hash = bytes.toString("latin1", tab + 1);
  if (sha256(json) !== hash) return { problem: "checksum mismatch" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString("utf8"));
  } catch (err) {
    return { problem: `checksum matches but the record is not JSON (${(err as Error).message})` };
  }
  if (typeof parsed !== "object" || parsed === null) return { problem: "the record is not a JSON object" };
  // Assigned rather than spread: start-up reads hundreds of thousands of these.
  (parsed as { hash: string }).hash = hash;
  return { record: parsed as JournalRecord };
}

function scanJournal(fd: number, path: string, opts: JournalReadOptions): JournalContents {
  const records: JournalRecord[] = [];
  const from = opts.from ?? JOURNAL_START;
  const onRecord = opts.onRecord ?? ((record: JournalRecord) => void records.push(record));
  let prev = from.hash;
  let lastSeq = from.seq;
  // Line numbers count from the start of the file only when reading from it.
  let lineNumber = 0;
  let validBytes = from.offset;
  // A bad line is only a torn write if nothing follows it; decided when the next line (or EOF) comes.
  let suspect: { line: number; offset: number; length: number; problem: string } | null = null;
  for (const line of readLines(fd, opts.chunkSize ?? DEFAULT_CHUNK_SIZE, from.offset)) {
    if (suspect) throw new JournalCorruptError(path, suspect.line, suspect.offset, suspect.problem);
    lineNumber++;
    const parsed = parseLine(line.bytes);
    if (!line.terminated && "problem" in parsed) {
      const reason = `the last record has no end of line (write cut short): ${parsed.problem}`;
      const torn = { offset: line.offset, line: lineNumber, droppedBytes: line.bytes.length, reason };
      return { records, torn, validBytes, missingNewline: false, lastSeq, lastHash: prev };
    }
    if ("problem" in parsed) {
      suspect = {
        line: lineNumber,
        offset: line.offset,
        length: line.bytes.length + 1,
        problem: parsed.problem,
      };
      continue;
    }
    const { record } = parsed;
    // A line with a good checksum was written whole: a wrong place in the chain is never a torn write.
    if (record.seq !== lastSeq + 1) {
      throw new JournalCorruptError(
        path,
        lineNumber,
        line.offset,
        `expected record ${lastSeq + 1}, found ${String(record.seq)} (a record was removed or reordered)`,
      );
    }
    if (record.prev !== prev) {
      throw new JournalCorruptError(
        path,
        lineNumber,
        line.offset,
        "the hash chain is broken (the record before it was changed, removed or reordered)",
      );
    }
    onRecord(record, line.offset, line.bytes.length + (line.terminated ? 1 : 0));
    prev = record.hash;
    lastSeq = record.seq;
    validBytes = line.offset + line.bytes.length + (line.terminated ? 1 : 0);
    if (!line.terminated)
      return { records, torn: null, validBytes, missingNewline: true, lastSeq, lastHash: prev };
  }
  if (suspect) {
    const reason = `the last record is incomplete: ${suspect.problem} (write cut short)`;
    const torn = { offset: suspect.offset, line: suspect.line, droppedBytes: suspect.length, reason };
    return { records, torn, validBytes, missingNewline: false, lastSeq, lastHash: prev };
  }
  return { records, torn: null, validBytes, missingNewline: false, lastSeq, lastHash: prev };
}

/**
 * One journal line, keys in a fixed order (seq, prev, then the entry's own) so the same record
 * always serialises to the same bytes. Stray seq/prev/hash properties on the entry are ignored.
 */
export function serializeRecord(
  seq: number,
  prev: string,
  entry: JournalEntry,
): { line: Buffer; json: string; hash: string } {
  const { seq: _seq, prev: _prev, hash: _hash, ...fields } = entry as Partial<JournalRecord>;
  const json = JSON.stringify({ seq, prev, ...fields });
  const hash = sha256(Buffer.from(json, "utf8"));
  return { line: Buffer.from(`${json}\t${hash}\n`, "utf8"), json, hash };
}

export interface OpenedJournal {
  journal: Journal;
  /** Every committed record read, oldest first (empty when `onRecord` was given). */
  records: JournalRecord[];
  /** Set when a torn last record was cut away at open (its bytes kept in `recovered.quarantine`). */
  recovered: TornTail | null;
  /** Set when the last record had lost its final newline and got it back. */
  newlineRestored: boolean;
}

export interface JournalOpenOptions extends JournalReadOptions {
  /** Records known committed from elsewhere: a torn tail among them is damage, not a torn write. */
  committed?: CommitEvidence | null;
}

export class Journal {
  private failure: Error | null = null;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private seq: number,
    private hash: string,
    /** Bytes of committed records: where a failed append is cut back to. */
    private size: number,
  ) {}

  /**
   * Opens the journal (creating it, durably, if missing) and verifies every record; the file is only
   * changed once that is decided. A whole last record that lost its newline gets it back. A torn
   * last record is damage when `committed` says it was committed (JournalCorruptError, file
   * untouched); otherwise its bytes are kept in a quarantine file next to the journal, then cut
   * away (fsynced). Damage anywhere else throws JournalCorruptError and changes nothing.
   */
  static open(path: string, opts: JournalOpenOptions = {}): OpenedJournal {
    const { fd, created } = openForAppend(path);
    try {
      if (created) {
        fsyncSync(fd);
        fsyncDirectory(dirname(path));
      }
      const contents = scanJournal(fd, path, opts);
      const { torn } = contents;
      const damage = tornTailDamage(path, torn, contents.lastSeq, opts.committed);
      if (damage) throw damage;
      let size = contents.validBytes;
      if (contents.missingNewline) {
        writeAll(fd, Buffer.of(NEWLINE));
        fdatasyncSync(fd);
        size += 1;
      }
      if (torn) {
        torn.quarantine = quarantineTail(fd, path, torn);
        ftruncateSync(fd, contents.validBytes);
        fsyncSync(fd);
      }
      const journal = new Journal(path, fd, contents.lastSeq, contents.lastHash, size);
      return {
        journal,
        records: contents.records,
        recovered: torn,
        newlineRestored: contents.missingNewline,
      };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  get lastSeq(): number {
    return this.seq;
  }

  get lastHash(): string {
    return this.hash;
  }

  /** The end of the committed records: where the next record will start. */
  get position(): JournalPosition {
    return { offset: this.size, seq: this.seq, hash: this.hash };
  }

  /** False after a failed append (until `recover()` or the next append succeeds) or after close. */
  get writable(): boolean {
    return !this.closed && !this.failure;
  }

  /**
   * After a failed append: cuts the file back to its committed records and syncs that, so appends
   * can go on (a disk that was full has room again) without a restart. Returns whether the journal
   * is writable now; a recovery that fails again keeps the journal refusing, and is tried next time.
   */
  recover(): boolean {
    if (this.closed) return false;
    if (!this.failure) return true;
    try {
      ftruncateSync(this.fd, this.size);
      fdatasyncSync(this.fd);
      const size = fstatSync(this.fd).size;
      if (size !== this.size) throw new Error(`the file is ${size} bytes after cutting back to ${this.size}`);
    } catch (err) {
      this.failure = err as Error;
      return false;
    }
    this.failure = null;
    return true;
  }

  /** Appends one entry; returns only once it is on disk (fdatasync): then, and only then, it is committed. */
  append(entry: JournalEntry): JournalRecord {
    const [record] = this.appendMany([entry]);
    return record as JournalRecord;
  }

  /** Several entries in one write and a single fdatasync; all are committed when this returns. */
  appendMany(entries: readonly JournalEntry[]): JournalRecord[] {
    if (this.closed) throw new Error(`journal ${this.path} is closed`);
    if (!this.recover()) {
      const cause = this.failure as Error;
      throw new JournalWriteError(
        `journal ${this.path} failed earlier and cannot be restored yet (${writeProblem(cause)}); nothing was committed, the next commit tries again`,
        { cause },
      );
    }
    if (entries.length === 0) return [];
    const lines: Buffer[] = [];
    const records: JournalRecord[] = [];
    let seq = this.seq;
    let prev = this.hash;
    for (const entry of entries) {
      const serialized = serializeRecord(++seq, prev, entry);
      lines.push(serialized.line);
      // Parsed back so the caller gets exactly what a reopen will read (no undefined properties).
      records.push({ ...JSON.parse(serialized.json), hash: serialized.hash } as JournalRecord);
      prev = serialized.hash;
    }
    const bytes = Buffer.concat(lines);
    try {
      writeAll(this.fd, bytes);
      fdatasyncSync(this.fd);
    } catch (err) {
      this.fail(err as Error);
    }
    this.seq = seq;
    this.hash = prev;
    this.size += bytes.length;
    return records;
  }

  /**
   * After a failed write or sync the file may hold part of the lines, or all of them without a
   * guarantee they reach the disk. They were not committed, so cut them back; the next append
   * first makes sure that cut-back holds (`recover()`), and refuses until it does.
   */
  private fail(cause: Error): never {
    this.failure = cause;
    let rollback: string;
    try {
      ftruncateSync(this.fd, this.size);
      fdatasyncSync(this.fd);
      rollback = "the partial write was cut back";
    } catch (truncateError) {
      rollback = `cutting the partial write back failed too (${(truncateError as Error).message}); the next open recovers`;
    }
    throw new JournalWriteError(
      `append to journal ${this.path} failed (${writeProblem(cause)}): nothing was committed; ${rollback}. The next commit tries again`,
      { cause },
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/**
 * Copies a torn tail, durably, to `<file>.torn-<offset>` beside it (numbered if that exists) before it is
 * cut away: nothing leaves the disk unseen, and a technician can still look at it.
 */
function quarantineTail(fd: number, path: string, torn: TornTail): string {
  const bytes = Buffer.alloc(torn.droppedBytes);
  let read = 0;
  while (read < bytes.length) {
    const n = readSync(fd, bytes, read, bytes.length - read, torn.offset + read);
    if (n === 0) break;
    read += n;
  }
  const base = join(dirname(path), `${basename(path)}.torn-${torn.offset}`);
  let target = base;
  for (let i = 2; existsSync(target); i++) target = `${base}-${i}`;
  writeFileDurable(target, bytes.subarray(0, read));
  return target;
}

/**
 * What open decides about a torn last record: null when it is a write that never completed (cut
 * away at open), or the damage open refuses to start with, when `committed` says it was committed.
 * `quan doctor` and `quan journal verify` ask the same question.
 */
export function tornTailDamage(
  path: string,
  torn: TornTail | null,
  /** Seq of the last whole record before the torn one. */
  lastSeq: number,
  committed: CommitEvidence | null | undefined,
): JournalCorruptError | null {
  if (!torn || !committed || committed.seq <= lastSeq) return null;
  return new JournalCorruptError(
    path,
    torn.line,
    torn.offset,
    `${torn.reason}, but ${committed.source} says record ${committed.seq} was committed: the record was damaged after it was written, so it is not cut away`,
  );
}

/** Why a write failed, as a technician acts on it; the raw text in brackets. */
function writeProblem(cause: Error): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === "ENOSPC")
    return "the disk is full (ENOSPC), there is no room for the journal: free space on the SD card (`df -h`, `quan doctor`)";
  if (code === "EIO") return `the SD card reported a read/write error (${cause.message}): it may be failing`;
  if (code === "EROFS") return `the file system is read-only (${cause.message}): the SD card may be failing`;
  return cause.message;
}

/** O_APPEND so every write lands at the end; readable too, for the verification at open. */
function openForAppend(path: string): { fd: number; created: boolean } {
  try {
    return { fd: openSync(path, "ax+", 0o644), created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return { fd: openSync(path, "a+"), created: false };
}
