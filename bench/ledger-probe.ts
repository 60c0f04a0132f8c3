import { cpSync, existsSync, rmSync } from "node:fs";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { setImmediate as tick } from "node:timers/promises";
import { silentLogger } from "../src/runtime/log.js";
import { Ledger } from "../src/runtime/store/ledger/ledger.js";
import { SegmentedJournal } from "../src/runtime/store/ledger/segments.js";
import { benchEntry, writeJournal } from "./ledger-bench.js";

/**
 * Where a commit's pause goes, on a big journal: node dist/bench/ledger-probe.js BASE N COMMITS.
 * BASE is filled with N records once (and checkpointed), then copied for each run; every gap
 * between two commits (the event loop busy with something else) and every commit's time beyond
 * its append is logged with what was running, and GC pauses are counted.
 */
const [base = "/tmp/quan-probe-base", nText = "1000000", commitsText = "20000"] = process.argv.slice(2);
const n = Number(nText);
const commits = Number(commitsText);
const open = (dataDir: string) =>
  Ledger.open({ dataDir, terminal: "T1", voidWindowMs: 1_800_000, log: silentLogger() }).ledger;
if (!existsSync(base)) {
  writeJournal(base, n);
  open(base).close();
}
const work = `${base}-run`;
rmSync(work, { recursive: true, force: true });
cpSync(base, work, { recursive: true });

const phases: Record<string, number> = {};
const wrap = <T extends object>(target: T, name: string, label = name) => {
  const o = target as Record<string, (...a: unknown[]) => unknown>;
  const f = o[name] as (...a: unknown[]) => unknown;
  o[name] = function (this: unknown, ...a: unknown[]) {
    const t = performance.now();
    try {
      return f.apply(this, a);
    } finally {
      const ms = performance.now() - t;
      phases[label] = Math.max(phases[label] ?? 0, ms);
      if (ms > 3) console.log(`  ${label} took ${ms.toFixed(1)} ms`);
    }
  };
};
const L = Ledger.prototype as unknown as object;
for (const m of ["fold", "checkpointSoon", "prepare", "mergeSoon", "seal", "checkpointFile"]) wrap(L, m);
wrap(SegmentedJournal.prototype, "append");

let gcMax = 0;
let gcTotal = 0;
const gcs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcTotal += e.duration;
    gcMax = Math.max(gcMax, e.duration);
    if (e.duration > 3)
      console.log(
        `  gc ${e.duration.toFixed(1)} ms (kind ${(e as { detail?: { kind?: number } }).detail?.kind})`,
      );
  }
});
gcs.observe({ entryTypes: ["gc"] });

const t0 = performance.now();
const ledger = open(work);
console.log(`open ${(performance.now() - t0).toFixed(1)} ms`);
await ledger.settle();
console.log(`tables read ${(performance.now() - t0).toFixed(1)} ms after the start`);
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let worstGap = 0;
let worstCommit = 0;
let last = performance.now();
for (let i = 0; i < commits; i++) {
  const t = performance.now();
  const gap = t - last;
  if (gap > 5) {
    const st = ledger as unknown as { writing: unknown; merging: boolean };
    console.log(
      `gap before commit ${i}: ${gap.toFixed(1)} ms (writing ${!!st.writing}, merging ${st.merging})`,
    );
  }
  worstGap = Math.max(worstGap, gap);
  ledger.commit(benchEntry(n + 1 + i));
  last = performance.now();
  worstCommit = Math.max(worstCommit, last - t);
  await tick();
}
await ledger.settle();
loop.disable();
ledger.close();
console.log(
  JSON.stringify({ worstGap, worstCommit, loopMaxMs: loop.max / 1e6, gcMax, gcTotal, phases }, null, 1),
);
rmSync(work, { recursive: true, force: true });
gcs.disconnect();
