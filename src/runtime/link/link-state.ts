import { join } from "node:path";
import type { LowSync } from "lowdb";
import { openDurableDb } from "../store/durable-adapter.js";
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

export interface LinkStateFile {
  bdSeq: number;
  acked: AckedCursor;
}

export const LINK_STATE_FILE = "link-state.json";

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

  setAcked(cursor: AckedCursor): void {
    if (cursor.seq < this.db.data.acked.seq) throw new RangeError("the acked cursor only moves forward");
    this.db.data.acked = { ...cursor };
    this.db.write();
  }
}
