import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RedeemEntry } from "../../../src/protocol/journal/index.js";
import { journalRecords } from "../../helpers/journal-files.js";
import { makeStore } from "../../helpers/store-fixture.js";

const CODES = 20_000;
const ROUNDS = 25;
const fixtureScript = join(import.meta.dirname, "fixtures", "redeem-loop.mjs");

/** Seeded so a failing run can be replayed exactly. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function runUntilKilled(optionsFile: string, killAfterMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixtureScript, optionsFile, String(CODES)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    // Start the clock once the child is committing, so the kill lands among commits, not in start-up.
    let timer: NodeJS.Timeout | undefined;
    child.stdout.once("data", () => {
      timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL" && code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(out);
    });
  });
}

describe("SIGKILL while committing redemptions in a loop", () => {
  const fx = makeStore(
    [{ id: "c", name: "Crash", kind: "amount", amountOff: 100 }],
    Array.from({ length: CODES }, (_, i) => ({ code: `CRASH-${String(i).padStart(6, "0")}`, campaign: "c" })),
    // A segment every ~10 records and a checkpoint every 7 commits: kills land on both boundaries.
    { options: { segmentBytes: 4000, snapshotEvery: 7 } },
  );
  fx.store.close();
  const optionsFile = join(fx.dir, "options.json");
  writeFileSync(optionsFile, JSON.stringify({ ...fx.options, log: undefined }));
  afterAll(() => fx.cleanup());

  it(`every redemption reported as committed survives, none twice, the chain verifies (${ROUNDS} kills)`, async () => {
    const random = prng(20261122);
    const reported = new Map<string, string>();
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const out = await runUntilKilled(optionsFile, 5 + Math.floor(random() * 60));
      // Only whole lines count: a line cut by the kill was never fully reported.
      for (const line of out.split("\n").slice(0, -1)) {
        if (line === "DONE") continue;
        const [id, code] = line.split(" ");
        reported.set(id as string, code as string);
      }
      if (!out.includes("DONE")) kills++;

      // Throws on any break in a segment or in the chain across segments.
      journalRecords(fx.dir);
      const store = fx.reopen();
      for (const [id, code] of reported) {
        expect(
          store.redemption(id),
          `redemption ${id} (${code}) reported committed in round ${round}`,
        ).toBeDefined();
      }
      store.close();
    }
    expect(kills).toBeGreaterThan(ROUNDS / 2);
    expect(reported.size).toBeGreaterThan(ROUNDS);

    const records = journalRecords(fx.dir) as (RedeemEntry & { seq: number })[];
    // Small segments and frequent checkpoints: the kills landed across segment boundaries too.
    expect(readdirSync(join(fx.dir, "journal")).filter((f) => f.endsWith(".log")).length).toBeGreaterThan(3);
    const ids = records.map((r) => r.id);
    const codes = records.flatMap((r) => r.lines.map((x: { code: string }) => x.code));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(codes).size).toBe(codes.length);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(fx.reopen().status(Date.parse("2026-03-04T04:00:00Z")).redemptions).toBe(records.length);
  }, 60_000);
});
