import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { generateMerchantKeys, signDocument } from "../src/protocol/envelope/index.js";
import { silentLogger } from "../src/runtime/log.js";
import { CouponStore, type CouponStoreOptions } from "../src/runtime/store/coupon-store.js";
import { benchCode, bigList } from "./fixture.js";
import { runScanToScreenBench } from "./scan-to-screen-bench.js";
import { fmt, ratio, summarize } from "./stats.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");

export interface EngineBenchResult {
  codes: number;
  importMs: number;
  load: { ms: number; rssMb: number; heapMb: number; peakMb: number };
  mapRssMb: number;
  validate: { quan: ReturnType<typeof summarize>; map: ReturnType<typeof summarize> };
  scanToScreen: { quan: ReturnType<typeof summarize>; baseline: ReturnType<typeof summarize> };
  commit: {
    quan: ReturnType<typeof summarize>;
    sqliteDelete: ReturnType<typeof summarize>;
    sqliteWal: ReturnType<typeof summarize>;
  };
}

export function runEngineBench(codes: number, say: (line: string) => void): EngineBenchResult {
  const dir = mkdtempSync(join(tmpdir(), "quan-bench-"));
  try {
    const keys = generateMerchantKeys();
    const options: CouponStoreOptions = {
      dataDir: join(dir, "data"),
      terminal: "T1",
      store: "S1",
      merchant: { id: "m-bench", publicKey: keys.publicKey },
      clockToleranceMs: 300_000,
      voidWindowMs: 1_800_000,
      log: silentLogger(),
    };
    say(`generating and signing a list of ${codes.toLocaleString("en")} codes...`);
    const envelope = JSON.stringify(signDocument(JSON.stringify(bigList(codes)), keys.privateKeyPem));
    writeFileSync(join(dir, "options.json"), JSON.stringify({ ...options, log: undefined }));

    let t = performance.now();
    const store = CouponStore.open(options);
    store.importList(envelope, NOW);
    const importMs = performance.now() - t;
    store.close();
    say(`import (verify signature, validate schema, index, durable write): ${importMs.toFixed(0)} ms`);

    // Load time and RSS in a fresh process: this process holds the list text and more.
    const child = join(import.meta.dirname, "load-child.js");
    const load = JSON.parse(
      execFileSync(process.execPath, ["--expose-gc", child, "store", join(dir, "options.json")], {
        encoding: "utf8",
      }),
    );
    const mapRss = JSON.parse(
      execFileSync(process.execPath, ["--expose-gc", child, "map", String(codes)], { encoding: "utf8" }),
    );
    say(
      `cache load at start-up: ${load.ms.toFixed(0)} ms; RSS after load ${load.rssMb.toFixed(0)} MB (heap ${load.heapMb.toFixed(0)} MB, peak RSS while loading ${load.peakMb.toFixed(0)} MB); a bare Map of the same codes: RSS ${mapRss.rssMb.toFixed(0)} MB`,
    );

    t = performance.now();
    const reopened = CouponStore.open(options);
    say(`(re-open in this process: ${(performance.now() - t).toFixed(0)} ms)`);
    const validate = benchValidate(reopened, codes);
    say(
      `validate p50 ${fmt(validate.quan.p50)} p99 ${fmt(validate.quan.p99)}  |  raw Map.get p50 ${fmt(validate.map.p50)} p99 ${fmt(validate.map.p99)}  |  p99 ratio ${ratio(validate.quan.p99, validate.map.p99)}`,
    );
    const scanToScreen = runScanToScreenBench(reopened, codes, say);
    const commit = benchCommit(reopened, codes, dir);
    reopened.close();
    say(
      `durable commit p50 ${fmt(commit.quan.p50)} p99 ${fmt(commit.quan.p99)}  |  SQLite synchronous=FULL (rollback journal) p50 ${fmt(commit.sqliteDelete.p50)} p99 ${fmt(commit.sqliteDelete.p99)}  |  SQLite WAL+FULL p50 ${fmt(commit.sqliteWal.p50)} p99 ${fmt(commit.sqliteWal.p99)}`,
    );
    say(
      `commit p50 ratio vs SQLite rollback journal ${ratio(commit.quan.p50, commit.sqliteDelete.p50)}, vs SQLite WAL ${ratio(commit.quan.p50, commit.sqliteWal.p50)} (below 1 = faster than SQLite)`,
    );
    return { codes, importMs, load, mapRssMb: mapRss.rssMb, validate, scanToScreen, commit };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function benchValidate(store: CouponStore, codes: number) {
  const samples = 200_000;
  const picks = new Uint32Array(samples);
  let seed = 12345;
  for (let i = 0; i < samples; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    picks[i] = seed % codes;
  }
  const names = Array.from(picks, (i) => benchCode(i));
  const quan = new Float64Array(samples);
  const map = new Float64Array(samples);
  const raw = new Map<string, { campaign: string; uses: number }>();
  for (let i = 0; i < codes; i++) raw.set(benchCode(i), { campaign: "c", uses: 1 });
  let sink = 0;
  for (let round = 0; round < 2; round++) {
    // round 0 warms up the JIT; round 1 is measured
    for (let i = 0; i < samples; i++) {
      const name = names[i] as string;
      const t0 = process.hrtime.bigint();
      const v = store.check({ amount: 12850, coupons: [{ code: name }] }, NOW);
      const t1 = process.hrtime.bigint();
      const m = raw.get(name);
      const t2 = process.hrtime.bigint();
      sink += v.payable + (m ? m.uses : 0);
      quan[i] = Number(t1 - t0);
      map[i] = Number(t2 - t1);
    }
  }
  if (sink === -1) console.log(sink);
  return { quan: summarize(quan), map: summarize(map) };
}

/**
 * Commits interleaved one by one with the SQLite baselines (same disk, same moment), so drift in
 * the disk's latency during the run hits all three alike.
 */
function benchCommit(store: CouponStore, codes: number, dir: string) {
  const n = 1000;
  const quan = new Float64Array(n);
  const sqliteDelete = sqliteInserter(join(dir, "delete.db"), "DELETE");
  const sqliteWal = sqliteInserter(join(dir, "wal.db"), "WAL");
  const del = new Float64Array(n);
  const wal = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const code = benchCode(codes - 1 - i * 5); // distinct codes never redeemed before
    const t0 = process.hrtime.bigint();
    const r = store.redeem({ amount: 12850, coupons: [{ code }] }, NOW, "bench");
    quan[i] = Number(process.hrtime.bigint() - t0);
    if (!r.committed)
      throw new Error(`bench redemption of ${code} refused: ${JSON.stringify(r.verdict.lines[0])}`);
    del[i] = sqliteDelete.insert(i);
    wal[i] = sqliteWal.insert(i);
  }
  sqliteDelete.close();
  sqliteWal.close();
  return { quan: summarize(quan), sqliteDelete: summarize(del), sqliteWal: summarize(wal) };
}

function sqliteInserter(file: string, journalMode: "DELETE" | "WAL") {
  const db = new Database(file);
  db.pragma(`journal_mode = ${journalMode}`);
  db.pragma("synchronous = FULL");
  db.exec(
    "CREATE TABLE redemptions (id TEXT PRIMARY KEY, at TEXT, code TEXT, amount INTEGER, discount INTEGER, body TEXT)",
  );
  const insert = db.prepare("INSERT INTO redemptions VALUES (?, ?, ?, ?, ?, ?)");
  const body = JSON.stringify({
    terminal: "T1",
    store: "S1",
    cashier: "bench",
    lines: [{ code: "Q00000000001", campaign: "pct20", discount: 2570 }],
  });
  return {
    insert(i: number): number {
      const t0 = process.hrtime.bigint();
      insert.run(`R${i}`, new Date(NOW).toISOString(), `Q${i}`, 12850, 2570, body);
      return Number(process.hrtime.bigint() - t0);
    },
    close: () => db.close(),
  };
}
