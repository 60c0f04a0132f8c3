import { closeSync, fdatasyncSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "../src/runtime/log.js";
import { CouponStore, type CouponStoreOptions } from "../src/runtime/store/coupon-store.js";
import { journalFiles } from "../src/runtime/store/ledger/segments.js";
import { anytimeCode } from "./fixture.js";
import { procIo } from "./process-probe.js";
import type { Scoreboard } from "./scoreboard.js";
import { summarize } from "./stats.js";

const PAUSE_TARGET_MS = 5;
const WRITE_FACTOR_TARGET = 2;

/**
 * Commits on a data dir with a large journal, through the real CouponStore: every redeem() timed
 * (the counters snapshot every 1000 commits included, as the cashier waits for it), and the bytes
 * this process handed to write() and the kernel sent to the disk (/proc/self/io) per redemption,
 * against the record's own size. Baseline in the same run: appending the very same record bytes
 * to a plain file with fdatasync after each.
 */
export function runCommitBench(
  options: Omit<CouponStoreOptions, "log">,
  records: number,
  commits: number,
  board: Scoreboard,
  say: (line: string) => void,
): void {
  say(`opening the store on ${records.toLocaleString("en")} journal records for ${commits} commits...`);
  const store = CouponStore.open({ ...options, log: silentLogger() });
  // Opening migrates a single journal.log into segments: sizes are taken after it, per segment.
  const before = new Map(journalFiles(options.dataDir).map((f) => [f.path, statSync(f.path).size]));
  const pauses = new Float64Array(commits);
  const cpu = new Float64Array(commits);
  const io0 = procIo("self");
  try {
    for (let k = 0; k < commits; k++) {
      const code = anytimeCode(k);
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const r = store.redeem({ amount: 12_850, coupons: [{ code }] }, Date.now(), "bench");
      pauses[k] = Number(process.hrtime.bigint() - t0);
      const c1 = process.cpuUsage(c0);
      cpu[k] = (c1.user + c1.system) * 1000;
      if (!r.committed)
        throw new Error(`bench redemption of ${code} refused: ${JSON.stringify(r.verdict.lines)}`);
    }
  } finally {
    store.close();
  }
  const io1 = procIo("self");
  const appended = Buffer.concat(
    journalFiles(options.dataDir).map((f) =>
      readRange(f.path, before.get(f.path) ?? 0, statSync(f.path).size),
    ),
  );
  const stateBytes = statSync(join(options.dataDir, "state.json")).size;

  const lines = splitLines(appended).slice(0, commits);
  const recordBytes = appended.length / lines.length;
  const rawPath = join(options.dataDir, "..", "raw-append.log");
  const raw = new Float64Array(lines.length);
  const fd = openSync(rawPath, "a");
  const io2 = procIo("self");
  try {
    lines.forEach((line, i) => {
      const t0 = process.hrtime.bigint();
      writeSync(fd, line);
      fdatasyncSync(fd);
      raw[i] = Number(process.hrtime.bigint() - t0);
    });
  } finally {
    closeSync(fd);
  }
  const io3 = procIo("self");

  const quan = summarize(pauses);
  const base = summarize(raw);
  const label = `${records.toLocaleString("en")} journal records, ${commits} commits`;
  const baseline = (value: number) => ({ label: "appendFileSync + fdatasync of the same bytes", value });
  board.record({
    what: `longest commit pause, ${label}`,
    value: quan.max / 1000,
    unit: "ms",
    limit: PAUSE_TARGET_MS,
    baseline: baseline(base.max / 1000),
    note: `counters snapshot every 1000 commits; state.json is ${(stateBytes / 2 ** 20).toFixed(1)} MB`,
  });
  const cpuTime = summarize(cpu);
  board.record({
    what: `longest commit CPU time (all threads, without waiting for the disk), ${label}`,
    value: cpuTime.max / 1000,
    unit: "ms",
    limit: PAUSE_TARGET_MS,
    note: `p99.9 ${(cpuTime.p999 / 1000).toFixed(2)} ms; the disk's own outliers show in the baseline above`,
  });
  board.record({
    what: `commit pause p99.9, ${label}`,
    value: quan.p999 / 1000,
    unit: "ms",
    limit: PAUSE_TARGET_MS,
    baseline: baseline(base.p999 / 1000),
    note: `p50 ${(quan.p50 / 1000).toFixed(2)} ms vs ${(base.p50 / 1000).toFixed(2)} ms`,
  });
  board.record({
    what: `bytes handed to write() per redemption, ${label}`,
    value: (io1.wchar - io0.wchar) / commits,
    unit: "B",
    limit: WRITE_FACTOR_TARGET * recordBytes,
    targetText: `<= ${WRITE_FACTOR_TARGET}x the record (${recordBytes.toFixed(0)} B)`,
    baseline: baseline((io3.wchar - io2.wchar) / lines.length),
  });
  board.record({
    what: `bytes sent to the disk per redemption, ${label}`,
    value: (io1.writeBytes - io0.writeBytes) / commits,
    unit: "B",
    baseline: baseline((io3.writeBytes - io2.writeBytes) / lines.length),
    note: "whole pages: a synced append of a few hundred bytes rewrites at least one 4 KiB page",
  });
}

function readRange(path: string, from: number, to: number): Buffer {
  const bytes = Buffer.alloc(to - from);
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < bytes.length) done += readSync(fd, bytes, done, bytes.length - done, from + done);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** The journal lines, each with its newline. */
function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let from = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, from)) {
    lines.push(bytes.subarray(from, nl + 1));
    from = nl + 1;
  }
  return lines;
}
