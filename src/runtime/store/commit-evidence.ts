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
 * The same evidence the store's open uses, read without opening the store (doctor, journal verify):
 * the newest readable checkpoint, else the legacy snapshot in state.json.
 */
export function readCommitEvidence(dataDir: string): CommitEvidence | null {
  const dir = join(dataDir, LEDGER_DIR);
  if (existsSync(dir)) {
    for (const name of listCheckpoints(dir)) {
      try {
        return checkpointEvidence(name, readCheckpointFile(dir, name));
      } catch {
        // An unreadable checkpoint is skipped here exactly as the store's open skips it (and logs it).
      }
    }
  }
  const file = join(dataDir, "state.json");
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, "utf8")) as { snapshot?: { seq?: unknown } | null };
  const seq = state.snapshot?.seq;
  return snapshotEvidence(typeof seq === "number" ? { seq } : null);
}
