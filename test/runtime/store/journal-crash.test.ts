import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireDataDirLock } from "../../../src/runtime/store/data-dir-lock.js";
import { Journal, verifyJournal } from "../../../src/runtime/store/journal.js";

const ROUNDS = 30;
const SEED = 0x9a11_2026;
const appendLoop = join(import.meta.dirname, "fixtures", "journal-append-loop.mjs");

/** mulberry32: seeded, so a failing run can be replayed exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Round {
  /** Ids the child printed, i.e. whose append had returned. */
  committed: string[];
  killed: boolean;
}

/** Runs the append loop and SIGKILLs it `killAfterMs` after it starts appending. */
function runUntilKilled(dataDir: string, round: number, batch: number, killAfterMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [appendLoop, dataDir, String(round), String(batch)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d) => {
      out += d;
      if (!timer && out.startsWith("READY\n")) timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL" && code !== 0)
        return reject(new Error(`round ${round}: child exited ${code}: ${err}`));
      // Only whole lines count: a line cut by the kill was never fully reported.
      const lines = out.split("\n").slice(0, -1);
      resolve({
        committed: lines.filter((l) => l !== "READY" && l !== "DONE"),
        killed: signal === "SIGKILL",
      });
    });
  });
}

describe("SIGKILL while appending to the journal", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "quan-journal-crash-"));
  const journalPath = join(dataDir, "journal.log");
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`keeps every committed record exactly once, in an unbroken chain (${ROUNDS} kills, seed ${SEED})`, async () => {
    const random = prng(SEED);
    const printed = new Set<string>();
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const batch = random() < 0.3 ? 1 + Math.floor(random() * 4) : 1;
      const killAfterMs = 5 + Math.floor(random() * 56);
      const context = `round ${round} (batch ${batch}, kill after ${killAfterMs} ms, seed ${SEED})`;
      const result = await runUntilKilled(dataDir, round, batch, killAfterMs);
      if (result.killed) kills++;
      for (const id of result.committed) printed.add(id);

      // What a restarted terminal does: lock, open (recovering any torn tail), rebuild from records.
      const lock = acquireDataDirLock(dataDir);
      const { journal, records } = Journal.open(journalPath);
      journal.close();
      lock.release();

      expect(
        records.map((r) => r.seq),
        context,
      ).toEqual(records.map((_, i) => i + 1));
      const ids = records.map((r) => r.id);
      expect(new Set(ids).size, `${context}: an id appears twice`).toBe(ids.length);
      const inJournal = new Set(ids);
      const missing = [...printed].filter((id) => !inJournal.has(id));
      expect(missing, `${context}: reported committed but not in the journal`).toEqual([]);
      // Records of this round that were never reported: only the one append the kill interrupted.
      const thisRound = ids.filter((id) => id.startsWith(`r${round}-`));
      expect(thisRound.slice(0, result.committed.length), context).toEqual(result.committed);
      expect(thisRound.length - result.committed.length, context).toBeLessThanOrEqual(batch);
      expect(verifyJournal(journalPath), context).toMatchObject({
        ok: true,
        records: records.length,
        torn: null,
      });
    }
    expect(kills, "most rounds must end in a kill, not run to completion").toBeGreaterThan(ROUNDS * 0.8);
    expect(printed.size).toBeGreaterThan(ROUNDS);
  }, 60_000);
});
