import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { journalFiles } from "../store/ledger/segments.js";

/**
 * Reads the journal on disk from a position onward, record by record, as the bytes the journal
 * hashed: the outbox sends exactly those bytes (`journal/record`), so the merchant checks the hash
 * without re-serialising. Reads across segments; stops before an incomplete last line (a record
 * being written, or a torn tail the ledger will quarantine) and never returns more than asked.
 */

export interface ReadPosition {
  /** Segment number (1 for a data dir from before segments). */
  segment: number;
  /** Byte offset in that segment of the next record to read. */
  offset: number;
}

export interface JournalLine {
  seq: number;
  id: string;
  /** The record's JSON text exactly as hashed. */
  json: string;
  hash: string;
  /** `at` of the record, epoch ms. */
  at: number;
  /** Where the record after this one starts. */
  next: ReadPosition;
}

export class JournalLineError extends Error {
  override name = "JournalLineError";
}

const CHUNK = 256 * 1024;

export function readJournalLines(dataDir: string, from: ReadPosition, maxRecords: number): JournalLine[] {
  const out: JournalLine[] = [];
  const files = journalFiles(dataDir).filter((f) => f.no >= from.segment);
  let offset = from.offset;
  for (const file of files) {
    if (file.no > from.segment) offset = 0;
    const fd = openSync(file.path, "r");
    try {
      let pending = Buffer.alloc(0);
      let pendingStart = offset;
      for (;;) {
        const chunk = Buffer.allocUnsafe(CHUNK);
        const n = readSync(fd, chunk, 0, CHUNK, pendingStart + pending.length);
        if (n === 0) break;
        pending =
          pending.length === 0 ? chunk.subarray(0, n) : Buffer.concat([pending, chunk.subarray(0, n)]);
        let start = 0;
        for (let nl = pending.indexOf(0x0a, start); nl !== -1; nl = pending.indexOf(0x0a, start)) {
          const line = pending.toString("utf8", start, nl);
          const end = pendingStart + nl + 1;
          out.push(parseLine(line, { segment: file.no, offset: end }, file.path, pendingStart + start));
          start = nl + 1;
          if (out.length >= maxRecords) return out;
        }
        pendingStart += start;
        pending = pending.subarray(start);
      }
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

function parseLine(line: string, next: ReadPosition, path: string, at: number): JournalLine {
  const tab = line.lastIndexOf("\t");
  const json = line.slice(0, tab);
  const hash = line.slice(tab + 1);
  if (tab < 0 || createHash("sha256").update(json, "utf8").digest("hex") !== hash)
    throw new JournalLineError(
      `${path} at byte ${at}: a record whose hash does not match (run quan journal verify)`,
    );
  const record = JSON.parse(json) as { seq: number; id: string; at: string };
  return { seq: record.seq, id: record.id, json, hash, at: Date.parse(record.at), next };
}
