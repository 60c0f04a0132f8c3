import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JournalRecord } from "../../src/protocol/journal/index.js";
import { journalFiles, walkJournal } from "../../src/runtime/store/ledger/segments.js";

/** The journal's first segment (the only one until it fills). */
export const firstSegment = (dataDir: string) => join(dataDir, "journal", "000001.log");

/** Every record of a data directory's journal, all segments, verified. */
export function journalRecords(dataDir: string): JournalRecord[] {
  const records: JournalRecord[] = [];
  walkJournal(dataDir, (r) => records.push(r));
  return records;
}

/** The journal's bytes as text, all segments in order. */
export function journalText(dataDir: string): string {
  return journalFiles(dataDir)
    .map((f) => readFileSync(f.path, "utf8"))
    .join("");
}
