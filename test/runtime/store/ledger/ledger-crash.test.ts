import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { entryOf, type RedeemEntry } from "../../../../src/protocol/journal/index.js";
import { applyEntry, emptyUsage, memberKey, type UsageState } from "../../../../src/runtime/ledger/usage.js";
import { silentLogger } from "../../../../src/runtime/log.js";
import { Ledger } from "../../../../src/runtime/store/ledger/ledger.js";
import { quan } from "../../../helpers/cli-harness.js";
import { journalRecords } from "../../../helpers/journal-files.js";
import { MANAGER_PIN, makeStore } from "../../../helpers/store-fixture.js";

// SIGKILL of the real CouponStore (built dist: `npx tsc -p tsconfig.build.json`) at seeded random
// moments while it redeems and voids with segments of ~8 records and a checkpoint every 3 commits:
// the kills land on segment rolls, on checkpoints being written in the background and on merges
// of tables (every 8 checkpoints). After each: the chain verifies, every commit the child
// reported is in the journal exactly once, and the counters a restart builds from its checkpoint
// equal a fold of the whole journal.

const CODES = 400;
const ROUNDS = 20;
const SEGMENT_BYTES = 1500;
const CHECKPOINT_EVERY = 3;
const script = join(import.meta.dirname, "fixtures", "redeem-void-loop.mjs");
const code = (prefix: string, i: number) => `${prefix}-${String(i).padStart(4, "0")}`;
const MEMBERS = Array.from({ length: 5 }, (_, i) => `member-${i}`);

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function runUntilKilled(optionsFile: string, start: number, killAfterMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, optionsFile, String(CODES), String(start), MANAGER_PIN], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    let timer: NodeJS.Timeout | undefined;
    child.stdout.once("data", () => {
      timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.on("error", reject);
    child.on("exit", (exit, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL" && exit !== 0) reject(new Error(`child exited ${exit}: ${err}`));
      else resolve(out);
    });
  });
}

/** The counters a fold of every record of the journal gives (the definition of right). */
function foldAll(dir: string): { usage: UsageState; redemptions: number } {
  const usage = emptyUsage();
  const byId = new Map<string, RedeemEntry>();
  let redemptions = 0;
  for (const r of journalRecords(dir)) {
    const e = entryOf(r);
    if (e.type === "redeem") {
      byId.set(e.id, e);
      redemptions++;
    }
    applyEntry(usage, e, r.seq, (id) => byId.get(id));
  }
  return { usage, redemptions };
}

describe("SIGKILL of the store on a segment roll, a background checkpoint or a merge", () => {
  const fx = makeStore(
    [
      { id: "c", name: "C", kind: "amount", amountOff: 100, maxUses: 100_000 },
      { id: "m", name: "M", kind: "amount", amountOff: 100, perMember: 1_000 },
    ],
    [
      ...Array.from({ length: CODES }, (_, i) => ({ code: code("C", i), campaign: "c", uses: 3 })),
      ...Array.from({ length: CODES }, (_, i) => ({ code: code("M", i), campaign: "m", uses: 3 })),
    ],
    { options: { segmentBytes: SEGMENT_BYTES, snapshotEvery: CHECKPOINT_EVERY } },
  );
  fx.store.close();
  const optionsFile = join(fx.dir, "options.json");
  writeFileSync(optionsFile, JSON.stringify({ ...fx.options, log: undefined }));
  afterAll(() => fx.cleanup());

  it(`nothing lost, nothing twice, counters equal a fold of the journal (${ROUNDS} seeded kills)`, async () => {
    const random = prng(7_2026_11);
    const redeemed = new Set<string>();
    const voids = new Map<string, string>();
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const out = await runUntilKilled(optionsFile, round * 10_000, 5 + Math.floor(random() * 450));
      for (const line of out.split("\n").slice(0, -1)) {
        const [kind, id, target] = line.split(" ");
        if (kind === "R") redeemed.add(id as string);
        if (kind === "V") voids.set(id as string, target as string);
      }
      if (!out.includes("DONE")) kills++;
      const where = `after kill ${round}`;

      const verify = await quan(["journal", "verify", "--data", fx.dir]);
      expect(verify.err, where).toBe("");
      expect(verify.code, where).toBe(0);

      const records = journalRecords(fx.dir).map(entryOf);
      const seen = new Map<string, number>();
      for (const e of records) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      for (const id of [...redeemed, ...voids.keys()]) expect(seen.get(id), `${id} ${where}`).toBe(1);
      for (const [id, target] of voids)
        expect(
          records.find((e) => e.id === id),
          where,
        ).toMatchObject({ type: "void", target });

      const { usage: expected, redemptions } = foldAll(fx.dir);
      const { ledger } = Ledger.open({
        dataDir: fx.dir,
        terminal: "T1",
        voidWindowMs: fx.options.voidWindowMs,
        log: silentLogger(),
        checkpointEvery: CHECKPOINT_EVERY,
        segmentBytes: SEGMENT_BYTES,
      });
      try {
        expect(ledger.redemptions, where).toBe(redemptions);
        for (const prefix of ["C", "M"])
          for (let i = 0; i < CODES; i++) {
            const c = code(prefix, i);
            const uses = expected.codeUses.get(c);
            expect(uses ?? 0, `${c} never beyond its 3 uses`).toBeLessThanOrEqual(3);
            expect(ledger.usage.codeUses.get(c), `${c} uses ${where}`).toBe(uses);
            expect(ledger.usage.lastUse.get(c), `${c} last use ${where}`).toEqual(expected.lastUse.get(c));
          }
        for (const campaign of ["c", "m"])
          expect(ledger.usage.campaignUses.get(campaign), `${campaign} ${where}`).toBe(
            expected.campaignUses.get(campaign),
          );
        for (const m of MEMBERS)
          expect(ledger.usage.memberUses.get(memberKey("m", m)), `${m} ${where}`).toBe(
            expected.memberUses.get(memberKey("m", m)),
          );
        // Voided: a second void of any of them is refused by the ledger's own view.
        for (const target of voids.values())
          expect(ledger.redemption(target)?.voided, `${target} voided ${where}`).toBe(true);
      } finally {
        ledger.close();
      }
    }
    expect(kills).toBeGreaterThan(ROUNDS / 2);
    expect(voids.size).toBeGreaterThan(3);
    // The kills had voids, segment rolls, checkpoints and merges to land on (how many depends on how
    // fast this machine runs the child: bounds that hold on a loaded 2-core CI machine).
    expect(readdirSync(join(fx.dir, "journal")).filter((f) => f.endsWith(".log")).length).toBeGreaterThan(3);
    expect(readdirSync(join(fx.dir, "ledger")).some((f) => /-\d+m+-\d\.run$/.test(f))).toBe(true);
  }, 180_000);
});
