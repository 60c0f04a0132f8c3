import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setImmediate as tick } from "node:timers/promises";
import type { RedeemEntry } from "../src/protocol/journal/index.js";
import { ulid } from "../src/runtime/ids.js";
import { silentLogger } from "../src/runtime/log.js";
import { GENESIS_HASH, Journal, serializeRecord } from "../src/runtime/store/journal.js";
import { Ledger } from "../src/runtime/store/ledger/ledger.js";
import {
  DEFAULT_SEGMENT_BYTES,
  SEGMENT_DIR,
  SegmentedJournal,
  segmentName,
} from "../src/runtime/store/ledger/segments.js";

/**
 * The ledger against issue 7's targets: start time and RSS with 0 / 100k / 1M redemptions in the
 * journal (each a different code: the worst case for the counters), the longest commit pause over
 * 20k commits on the largest journal, bytes written per redemption.
 */

const T0 = Date.parse("2026-01-01T00:00:00Z");

export function benchEntry(i: number): RedeemEntry {
  const at = T0 + i * 1000;
  return {
    type: "redeem",
    id: ulid(at),
    at: new Date(at).toISOString(),
    terminal: "T1",
    store: "S1",
    cashier: "bench",
    currency: "CNY",
    amount: 10_000,
    discount: 1000,
    payable: 9000,
    lines: [{ code: `CODE-${String(i).padStart(8, "0")}`, campaign: "c1", discount: 1000 }],
    listVersion: 1,
  };
}

/** Writes n valid, chained records straight into segments (no store, no fsync per record). */
export function writeJournal(dataDir: string, n: number): number {
  mkdirSync(join(dataDir, SEGMENT_DIR), { recursive: true });
  let segment = 1;
  let fd = openSync(join(dataDir, SEGMENT_DIR, segmentName(segment)), "w");
  let size = 0;
  let prev = GENESIS_HASH;
  let bytes = 0;
  const batch: Buffer[] = [];
  const flush = () => {
    if (batch.length) writeSync(fd, Buffer.concat(batch));
    batch.length = 0;
  };
  for (let i = 1; i <= n; i++) {
    if (size >= DEFAULT_SEGMENT_BYTES) {
      flush();
      closeSync(fd);
      fd = openSync(join(dataDir, SEGMENT_DIR, segmentName(++segment)), "w");
      size = 0;
    }
    const { line, hash } = serializeRecord(i, prev, benchEntry(i));
    batch.push(line);
    if (batch.length >= 4096) flush();
    prev = hash;
    size += line.length;
    bytes += line.length;
  }
  flush();
  closeSync(fd);
  return bytes;
}

const childScript = `
const { Ledger } = await import(process.argv[1]);
const { silentLogger } = await import(process.argv[2]);
const t = performance.now();
const { ledger } = Ledger.open({ dataDir: process.argv[3], terminal: "T1", voidWindowMs: 1800000, log: silentLogger() });
const ms = performance.now() - t;
// Since the process began (node's own start and module loading included): start to ready.
const readyMs = performance.now();
const rssAtOpen = process.memoryUsage().rss;
// The tables are read after the start; the RSS a running terminal has is after that.
await ledger.settle();
ledger.usage.codeUses.get("CODE-00000001");
const rss = process.memoryUsage().rss;
ledger.close();
process.stdout.write(JSON.stringify({ ms, readyMs, rss, rssAtOpen }));
`;

/** Start in a fresh process (module loading included), as the daemon starts. */
interface ChildStart {
  /** Ledger.open alone. */
  ms: number;
  /** From the process's start (node and module loading included) to the ledger open. */
  readyMs: number;
  rssAtOpen: number;
  /** After the tables were read (a running terminal's). */
  rss: number;
  wallMs: number;
}

function startInChild(dataDir: string): ChildStart {
  const ledgerModule = new URL("../src/runtime/store/ledger/ledger.js", import.meta.url).href;
  const logModule = new URL("../src/runtime/log.js", import.meta.url).href;
  const t = performance.now();
  const out = execFileSync(
    process.execPath,
    ["--input-type=module", "-e", childScript, ledgerModule, logModule, dataDir],
    {
      encoding: "utf8",
    },
  );
  return { ...JSON.parse(out), wallMs: performance.now() - t };
}

const writeBytes = () =>
  Number(/write_bytes: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"))?.[1] ?? Number.NaN);

export interface LedgerBenchResult {
  starts: {
    records: number;
    ms: number;
    readyMs: number;
    wallMs: number;
    rssAtOpenMb: number;
    rssMb: number;
  }[];
  commits: number;
  longestCommitMs: number;
  /** A commit's time beyond its write + fdatasync: counters, checkpoint preparation. */
  longestHousekeepingMs: number;
  p99CommitMs: number;
  /** The event loop's longest turn between two commits (background work, GC). */
  longestGapMs: number;
  p999GapMs: number;
  /** monitorEventLoopDelay's max: fdatasync waits included. */
  longestLoopBlockMs: number;
  /** The same for a bare journal (append + fdatasync, nothing else) in the same run. */
  bare: { longestAppendMs: number; longestGapMs: number; p999GapMs: number; longestLoopBlockMs: number };
  recordBytes: number;
  journalBytesPerRecord: number;
  writeBytesPerRecord: number;
}

export async function ledgerBench(
  sizes = [0, 100_000, 1_000_000],
  commits = 20_000,
  log: (line: string) => void = console.log,
): Promise<LedgerBenchResult> {
  const root = mkdtempSync(join(tmpdir(), "quan-ledger-bench-"));
  try {
    const starts: LedgerBenchResult["starts"] = [];
    const dirs: string[] = [];
    let biggest = "";
    for (const n of sizes) {
      const dir = join(root, `d${n}`);
      writeJournal(dir, n);
      // The first start rebuilds the counters once (as after a migration) and checkpoints them.
      const t = performance.now();
      const { ledger } = Ledger.open({
        dataDir: dir,
        terminal: "T1",
        voidWindowMs: 1_800_000,
        log: silentLogger(),
      });
      ledger.close();
      log(`  ${n} records written, counters rebuilt once in ${(performance.now() - t).toFixed(0)} ms`);
      dirs.push(dir);
      biggest = dir;
    }
    // Starts interleaved (this machine's load changes by the second); the median of five each.
    const samples: ChildStart[][] = dirs.map(() => []);
    for (let r = 0; r < 5; r++) {
      for (const [i, dir] of dirs.entries()) samples[i]?.push(startInChild(dir));
    }
    sizes.forEach((n, i) => {
      const s = (samples[i] as ChildStart[]).sort((a, b) => a.readyMs - b.readyMs)[2] as ChildStart;
      starts.push({
        records: n,
        ms: s.ms,
        readyMs: s.readyMs,
        wallMs: s.wallMs,
        rssAtOpenMb: s.rssAtOpen / 2 ** 20,
        rssMb: s.rss / 2 ** 20,
      });
      log(
        `ledger start with ${n} records: open ${s.ms.toFixed(1)} ms, process start to ready ${s.readyMs.toFixed(0)} ms; RSS at open ${(s.rssAtOpen / 2 ** 20).toFixed(1)} MB, after its tables were read ${(s.rss / 2 ** 20).toFixed(1)} MB`,
      );
    });
    const base = starts[0];
    const top = starts.at(-1);
    if (base && top)
      log(
        `  target: start <= 1.5x empty (got ${(top.readyMs / base.readyMs).toFixed(2)}x process start to ready), RSS + <= 50 MB (got +${(top.rssAtOpenMb - base.rssAtOpenMb).toFixed(1)} MB at open, +${(top.rssMb - base.rssMb).toFixed(1)} MB once the tables are read)`,
      );

    // The floor on this machine, measured in the same run: a bare journal (append + fdatasync,
    // nothing else) committing the same records with the event loop turning between them.
    const bareJournal = Journal.open(join(root, "bare.log")).journal;
    const floor = await commitLoop(commits, top?.records ?? 0, (e) => {
      const t = performance.now();
      bareJournal.append(e);
      return performance.now() - t;
    });
    bareJournal.close();

    // Commits on the largest journal, the event loop turning between them as in the daemon.
    const { ledger } = Ledger.open({
      dataDir: biggest,
      terminal: "T1",
      voidWindowMs: 1_800_000,
      log: silentLogger(),
    });
    // As in the daemon, the first commit comes after the start has read its tables.
    await ledger.settle();
    const startSize = dirBytes(join(biggest, SEGMENT_DIR));
    // The append's own time (write + fdatasync) measured apart: the rest of a commit is the ledger's.
    const append = SegmentedJournal.prototype.append;
    let appendMs = 0;
    SegmentedJournal.prototype.append = function (this: SegmentedJournal, e) {
      const t = performance.now();
      try {
        return append.call(this, e);
      } finally {
        appendMs = performance.now() - t;
      }
    };
    const io0 = writeBytes();
    const housekeeping: number[] = [];
    const measured = await commitLoop(commits, top?.records ?? 0, (e) => {
      ledger.commit(e);
      return appendMs;
    });
    await ledger.settle();
    const io = writeBytes() - io0;
    SegmentedJournal.prototype.append = append;
    housekeeping.push(...measured.beyondAppend);
    housekeeping.sort((a, b) => a - b);
    ledger.close();
    const journalBytes = dirBytes(join(biggest, SEGMENT_DIR)) - startSize;
    const recordBytes = journalBytes / commits;
    const result: LedgerBenchResult = {
      starts,
      commits,
      longestCommitMs: measured.times.at(-1) ?? 0,
      longestHousekeepingMs: housekeeping.at(-1) ?? 0,
      p99CommitMs: quantile(measured.times, 0.99),
      longestGapMs: measured.gaps.at(-1) ?? 0,
      p999GapMs: quantile(measured.gaps, 0.999),
      longestLoopBlockMs: measured.loopMaxMs,
      bare: {
        longestAppendMs: floor.times.at(-1) ?? 0,
        longestGapMs: floor.gaps.at(-1) ?? 0,
        p999GapMs: quantile(floor.gaps, 0.999),
        longestLoopBlockMs: floor.loopMaxMs,
      },
      recordBytes,
      journalBytesPerRecord: journalBytes / commits,
      writeBytesPerRecord: io / commits,
    };
    log(
      `commits on a ${top?.records ?? 0}-record journal: ${commits}, longest ${result.longestCommitMs.toFixed(2)} ms (p99 ${result.p99CommitMs.toFixed(2)} ms, fdatasync included); beyond its write + fdatasync a commit took at most ${result.longestHousekeepingMs.toFixed(2)} ms; target <= 5 ms`,
    );
    log(
      `  the event loop between two commits (checkpoints, merges, GC): longest ${result.longestGapMs.toFixed(1)} ms, p99.9 ${result.p999GapMs.toFixed(1)} ms; event-loop delay max ${result.longestLoopBlockMs.toFixed(1)} ms (fdatasync included)`,
    );
    log(
      `  baseline, a bare journal (append + fdatasync only) in the same run: longest append ${result.bare.longestAppendMs.toFixed(1)} ms; between two commits longest ${result.bare.longestGapMs.toFixed(1)} ms, p99.9 ${result.bare.p999GapMs.toFixed(1)} ms; event-loop delay max ${result.bare.longestLoopBlockMs.toFixed(1)} ms`,
    );
    log(
      `disk written per redemption: record ${recordBytes.toFixed(0)} B; write_bytes ${result.writeBytesPerRecord.toFixed(0)} B (${(result.writeBytesPerRecord / recordBytes).toFixed(2)}x; a fdatasync per commit dirties a whole 4 KiB page); target <= 2x`,
    );
    return result;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.floor(sorted.length * q)] ?? 0;

/**
 * `commits` records after `first`, the event loop turning between them; `commit` returns the
 * time its append (write + fdatasync) took. All lists come back sorted.
 */
async function commitLoop(
  commits: number,
  first: number,
  commit: (e: RedeemEntry) => number,
): Promise<{ times: number[]; beyondAppend: number[]; gaps: number[]; loopMaxMs: number }> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const times: number[] = [];
  const beyondAppend: number[] = [];
  const gaps: number[] = [];
  let ended = -1;
  for (let i = 0; i < commits; i++) {
    const e = benchEntry(first + 1 + i);
    const t = performance.now();
    if (ended >= 0) gaps.push(t - ended);
    const appendMs = commit(e);
    ended = performance.now();
    times.push(ended - t);
    beyondAppend.push(ended - t - appendMs);
    await tick();
  }
  loop.disable();
  const byValue = (a: number, b: number) => a - b;
  return {
    times: times.sort(byValue),
    beyondAppend: beyondAppend.sort(byValue),
    gaps: gaps.sort(byValue),
    loopMaxMs: loop.max / 1e6,
  };
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const name of execFileSync("ls", [dir], { encoding: "utf8" }).split("\n")) {
    if (name) n += statSync(join(dir, name)).size;
  }
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv[2] ? process.argv[2].split(",").map(Number) : undefined;
  const commits = process.argv[3] ? Number(process.argv[3]) : undefined;
  await ledgerBench(sizes, commits);
}
