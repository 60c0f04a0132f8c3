import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { JournalEntry, JournalRecord } from "../ledger/records.js";
import { fsyncDirectory } from "./durable-file.js";

/**
 * The append-only redemption journal. One record per line:
 *
 *     {"seq":12,"prev":"<sha256 of line 11's JSON>",...entry}\t<sha256 of this JSON>\n
 *
 * The trailing hash catches a torn or damaged line; `prev` chains every record to the one before,
 * so deleting, reordering or editing a record anywhere breaks verification.
 */

export const GENESIS_HASH = "0".repeat(64);
const NEWLINE = 0x0a;
const TAB = 0x09;

export class JournalCorruptError extends Error {
  override name = "JournalCorruptError";
  constructor(
    readonly path: string,
    readonly line: number,
    readonly offset: number,
    readonly problem: string,
  ) {
    super(
      `journal ${path} is damaged at line ${line} (byte ${offset}): ${problem}. Refusing to start; restore the journal from backup or inspect it with \`quan journal verify\``,
    );
  }
}

export interface TornTail {
  /** Byte offset where the torn record starts (the file is cut back to here). */
  offset: number;
  droppedBytes: number;
  reason: string;
}

export interface JournalContents {
  records: JournalRecord[];
  torn: TornTail | null;
  /** Length of the verified part of the file. */
  validBytes: number;
}

export type JournalVerification =
  | { ok: true; records: number; lastHash: string; torn: TornTail | null }
  | { ok: false; line: number; offset: number; problem: string };

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * Reads and verifies the whole journal without changing it. Damage before the last line throws
 * JournalCorruptError; a torn last line (a write cut by a power loss) is reported in `torn`.
 */
export function readJournal(path: string): JournalContents {
  if (!existsSync(path)) return { records: [], torn: null, validBytes: 0 };
  const bytes = readFileSync(path);
  const records: JournalRecord[] = [];
  let prev = GENESIS_HASH;
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    line++;
    const end = bytes.indexOf(NEWLINE, start);
    const isLast = end === -1 || end === bytes.length - 1;
    const tornAt = (reason: string): JournalContents => ({
      records,
      torn: { offset: start, droppedBytes: bytes.length - start, reason },
      validBytes: start,
    });
    if (end === -1) return tornAt("the last record has no end of line (write cut short)");
    const tab = bytes.lastIndexOf(TAB, end);
    const json = tab > start ? bytes.subarray(start, tab) : null;
    const hash = tab > start ? bytes.subarray(tab + 1, end).toString("latin1") : "";
    if (!json || hash.length !== 64 || sha256(json) !== hash) {
      if (isLast) return tornAt("the last record's checksum does not match (write cut short)");
      throw new JournalCorruptError(path, line, start, "checksum mismatch");
    }
    let record: JournalRecord;
    try {
      record = {
        ...(JSON.parse(json.toString("utf8")) as Omit<JournalRecord, "hash">),
        hash,
      } as JournalRecord;
    } catch (err) {
      throw new JournalCorruptError(
        path,
        line,
        start,
        `checksum matches but the record is not JSON (${(err as Error).message})`,
      );
    }
    if (record.seq !== records.length + 1) {
      throw new JournalCorruptError(
        path,
        line,
        start,
        `expected record ${records.length + 1}, found ${String(record.seq)} (a record was removed or reordered)`,
      );
    }
    if (record.prev !== prev) {
      throw new JournalCorruptError(
        path,
        line,
        start,
        "the hash chain is broken (the record before it was changed, removed or reordered)",
      );
    }
    records.push(record);
    prev = hash;
    start = end + 1;
  }
  return { records, torn: null, validBytes: bytes.length };
}

export function verifyJournal(path: string): JournalVerification {
  try {
    const { records, torn } = readJournal(path);
    return { ok: true, records: records.length, lastHash: records.at(-1)?.hash ?? GENESIS_HASH, torn };
  } catch (err) {
    if (err instanceof JournalCorruptError)
      return { ok: false, line: err.line, offset: err.offset, problem: err.problem };
    throw err;
  }
}

export function serializeRecord(
  seq: number,
  prev: string,
  entry: JournalEntry,
): { line: Buffer; hash: string } {
  const json = Buffer.from(JSON.stringify({ seq, prev, ...entry }), "utf8");
  const hash = sha256(json);
  return { line: Buffer.concat([json, Buffer.from(`\t${hash}\n`, "latin1")]), hash };
}

export interface OpenedJournal {
  journal: Journal;
  records: JournalRecord[];
  /** Set when a torn last record was cut away at open. */
  recovered: TornTail | null;
}

export class Journal {
  private failed: Error | null = null;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private seq: number,
    private hash: string,
  ) {}

  /** Opens (creating if needed), verifies, and cuts a torn last record away (fsynced). */
  static open(path: string): OpenedJournal {
    const created = !existsSync(path);
    const contents = readJournal(path);
    const fd = openSync(path, "a");
    try {
      if (created) {
        fsyncSync(fd);
        fsyncDirectory(dirname(path));
      }
      if (contents.torn) {
        ftruncateSync(fd, contents.validBytes);
        fsyncSync(fd);
      }
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    const last = contents.records.at(-1);
    const journal = new Journal(path, fd, last?.seq ?? 0, last?.hash ?? GENESIS_HASH);
    return { journal, records: contents.records, recovered: contents.torn };
  }

  get lastSeq(): number {
    return this.seq;
  }

  get lastHash(): string {
    return this.hash;
  }

  /** Appends one entry and returns only once it is on disk (fdatasync). */
  append(entry: JournalEntry): JournalRecord {
    const [record] = this.appendMany([entry]);
    return record as JournalRecord;
  }

  /** Several entries with a single fdatasync. */
  appendMany(entries: readonly JournalEntry[]): JournalRecord[] {
    if (this.closed) throw new Error(`journal ${this.path} is closed`);
    if (this.failed)
      throw new Error(`journal ${this.path} failed earlier (${this.failed.message}); reopen it to recover`);
    const records: JournalRecord[] = [];
    const lines: Buffer[] = [];
    let seq = this.seq;
    let prev = this.hash;
    for (const entry of entries) {
      seq++;
      const { line, hash } = serializeRecord(seq, prev, entry);
      lines.push(line);
      records.push({ ...entry, seq, prev, hash } as JournalRecord);
      prev = hash;
    }
    const bytes = Buffer.concat(lines);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
      fdatasyncSync(this.fd);
    } catch (err) {
      // The file may now end in a partial line: nothing more may be appended after it.
      this.failed = err as Error;
      throw err;
    }
    this.seq = seq;
    this.hash = prev;
    return records;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
