import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LowSync } from "lowdb";
import { DurableJsonFile, openDurableDb } from "../store/durable-adapter.js";
import { GENESIS_HASH } from "../store/journal.js";
import type { ReadPosition } from "./journal-reader.js";

/**
 * What the link keeps on disk (DATA/link-state.json, written durably): the birth/death counter
 * and the outbox cursor. The cursor moves only when the merchant acknowledged, after its own
 * commit, every record up to it; everything after it is sent again after a reconnect or restart.
 */
export interface AckedCursor extends ReadPosition {
  /** The last record the merchant holds (0 before the first). */
  seq: number;
  hash: string;
}

/** A conflict the merchant flagged on one of this till's redemptions (kept until resolved, and after). */
export interface HeldConflict {
  id: string;
  state: "open" | "resolved";
  code: string;
  detectedAt: string;
  /** The redemptions involved: which till, which record, when. */
  redemptions: { id: string; terminal: string; at: string }[];
}

export interface LinkStateFile {
  bdSeq: number;
  acked: AckedCursor;
  conflicts?: HeldConflict[];
}

export const LINK_STATE_FILE = "link-state.json";

/**
 * The conflicts a terminal holds, by redemption id (`open <conflict>` / `resolved <conflict>`), read
 * without taking anything (the export runs beside the daemon); empty when the link never ran.
 */
export function heldConflictsByRedemption(dataDir: string): Map<string, string> {
  const byRedemption = new Map<string, string>();
  const file = join(dataDir, LINK_STATE_FILE);
  if (!existsSync(file)) return byRedemption;
  const state = new DurableJsonFile<LinkStateFile>(file).read();
  for (const c of state?.conflicts ?? [])
    for (const r of c.redemptions) byRedemption.set(r.id, `${c.state} ${c.id}`);
  return byRedemption;
}

/** The merchant's acknowledged cursor as the terminal holds it (null when the link never ran). */
export function readAckedCursor(dataDir: string): AckedCursor | null {
  const file = join(dataDir, LINK_STATE_FILE);
  if (!existsSync(file)) return null;
  const acked = new DurableJsonFile<LinkStateFile>(file).read()?.acked;
  return acked && acked.seq > 0 ? acked : null;
}

export class LinkState {
  private readonly db: LowSync<LinkStateFile>;

  constructor(dataDir: string) {
    this.db = openDurableDb<LinkStateFile>(join(dataDir, LINK_STATE_FILE), {
      bdSeq: 0,
      acked: { seq: 0, hash: GENESIS_HASH, segment: 1, offset: 0 },
    });
  }

  get bdSeq(): number {
    return this.db.data.bdSeq;
  }

  /** The next birth/death number, on disk before the CONNECT that carries it. */
  nextBdSeq(): number {
    this.db.data.bdSeq += 1;
    this.db.write();
    return this.db.data.bdSeq;
  }

  get acked(): AckedCursor {
    return { ...this.db.data.acked };
  }

  conflicts(): HeldConflict[] {
    return [...(this.db.data.conflicts ?? [])];
  }

  openConflicts(): number {
    return (this.db.data.conflicts ?? []).filter((c) => c.state === "open").length;
  }

  /** Records (or updates) a conflict the merchant flagged; returns whether anything changed. */
  holdConflict(c: HeldConflict): boolean {
    const all = this.db.data.conflicts ?? [];
    const i = all.findIndex((x) => x.id === c.id);
    if (i >= 0 && JSON.stringify(all[i]) === JSON.stringify(c)) return false;
    if (i >= 0) all[i] = c;
    else all.push(c);
    this.db.data.conflicts = all;
    this.db.write();
    return true;
  }

  setAcked(cursor: AckedCursor): void {
    if (cursor.seq < this.db.data.acked.seq) throw new RangeError("the acked cursor only moves forward");
    this.db.data.acked = { ...cursor };
    this.db.write();
  }
}
