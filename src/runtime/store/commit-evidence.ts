import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CommitEvidence } from "./journal.js";
import { type CheckpointFile, LEDGER_DIR, listCheckpoints, readCheckpointFile } from "./ledger/checkpoint.js";

/** What the counters snapshot of a data dir from before segments says was committed. */
export function snapshotEvidence(snapshot: { seq: number } | null | undefined): CommitEvidence | null {
  return snapshot ? { seq: snapshot.seq, source: "the counters snapshot in state.json" } : null;
}

/** What a counters checkpoint says was committed: the journal's records up to its position. */
export function checkpointEvidence(name: string, file: Pick<CheckpointFile, "position">): CommitEvidence {
  return { seq: file.position.seq, source: `the counters checkpoint ${name}` };
}

/**
 * The newest checkpoint whose own file reads says its records were committed, even when its table
 * files are damaged and the store falls back to an older checkpoint for the counters: the position
 * is evidence of the commit either way.
 */
export function newestCheckpointEvidence(ledgerDir: string): CommitEvidence | null {
  if (!existsSync(ledgerDir)) return null;
  for (const name of listCheckpoints(ledgerDir)) {
    try {
      const file = readCheckpointFile(ledgerDir, name);
      if (Number.isInteger(file.position?.seq)) return checkpointEvidence(name, file);
    } catch {
      // Unreadable: an older checkpoint may still vouch; the store's open logs the damaged one.
    }
  }
  return null;
}

/**
 * The same evidence the store's open uses, read without opening the store (doctor, journal verify):
 * the newest readable checkpoint, else the legacy snapshot in state.json.
 */
export function readCommitEvidence(dataDir: string): CommitEvidence | null {
  const fromCheckpoint = newestCheckpointEvidence(join(dataDir, LEDGER_DIR));
  if (fromCheckpoint) return fromCheckpoint;
  const file = join(dataDir, "state.json");
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, "utf8")) as { snapshot?: { seq?: unknown } | null };
  const seq = state.snapshot?.seq;
  return snapshotEvidence(typeof seq === "number" ? { seq } : null);
}
