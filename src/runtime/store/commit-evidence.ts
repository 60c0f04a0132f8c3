import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CommitEvidence } from "./journal.js";

/** What the counters snapshot says was committed: the journal's records up to its `seq`. */
export function snapshotEvidence(snapshot: { seq: number } | null | undefined): CommitEvidence | null {
  return snapshot ? { seq: snapshot.seq, source: "the counters snapshot in state.json" } : null;
}

/** The same evidence read from DATA/state.json without opening the store (doctor, journal verify). */
export function readCommitEvidence(dataDir: string): CommitEvidence | null {
  const file = join(dataDir, "state.json");
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, "utf8")) as { snapshot?: { seq?: unknown } | null };
  const seq = state.snapshot?.seq;
  return snapshotEvidence(typeof seq === "number" ? { seq } : null);
}
