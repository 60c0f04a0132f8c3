import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../src/runtime/log.js";
import { CouponStore } from "../src/runtime/store/coupon-store.js";
import { runCheckBench, runImportBench } from "./cli-bench.js";
import { runCommitBench } from "./commit-bench.js";
import { runDaemonBench } from "./daemon-bench.js";
import { runValidateBench } from "./engine-bench.js";
import { tradedTerminal } from "./journal-fill.js";
import { runLinkBench } from "./link-bench.js";
import { runListSwapBench } from "./list-swap-bench.js";
import { killLiveChildren } from "./process-probe.js";
import { runScanToScreenBench } from "./scan-to-screen-bench.js";
import { Scoreboard } from "./scoreboard.js";
import { Workspace } from "./workspace.js";

/**
 * npm run bench [-- --quick]: every figure of issue 7's targets table as a user feels it, next to
 * its target and a baseline measured in the same run (these machines are noisy).
 * QUAN_BENCH_CODES sets the list size (default 1,000,000; --quick or QUAN_BENCH_QUICK=1: 100,000,
 * and no 2,000,000-code import). `--only=swap,check` runs those sections only (import, daemon,
 * check, commit, swap, validate), on one import of the list size: a shared machine can then
 * re-measure a row without the whole run.
 */
const quick = process.argv.includes("--quick") || process.env.QUAN_BENCH_QUICK === "1";
const codes = Number(process.env.QUAN_BENCH_CODES ?? (quick ? 100_000 : 1_000_000));
if (!Number.isSafeInteger(codes) || codes < 1000)
  throw new Error(`QUAN_BENCH_CODES: expected an integer >= 1000`);
const onlyArg = process.argv.find((a) => a.startsWith("--only="));
const only = onlyArg ? new Set(onlyArg.slice("--only=".length).split(",")) : null;
const SECTIONS = ["import", "daemon", "check", "commit", "swap", "validate", "link"];
for (const name of only ?? [])
  if (!SECTIONS.includes(name)) throw new Error(`--only: unknown section ${name}`);
const want = (section: string) => !only || only.has(section);
const importSizes = [...new Set(quick || only ? [codes] : [100_000, codes, 2_000_000])].sort((a, b) => a - b);
const journalSizes = !want("daemon")
  ? want("check") || want("commit")
    ? [codes]
    : []
  : [...new Set([Math.floor(codes / 10), codes])].filter((n) => n > 0);
const reps = quick ? 2 : 3;
const idleMs = quick ? 2000 : 3000;
const COMMITS = 3000;

const say = (line: string) => process.stdout.write(`${line}\n`);
const board = new Scoreboard(say);
const ws = new Workspace();
const abort = () => {
  killLiveChildren();
  ws.cleanup();
  process.exit(130);
};
process.once("SIGINT", abort);
process.once("SIGTERM", abort);

try {
  say(`quan bench — node ${process.version}, ${new Date().toISOString()}${quick ? " (quick)" : ""}`);
  say(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM; list: ${codes.toLocaleString("en")} codes; workspace ${ws.root}`,
  );
  const codeTable = ws.codeTable(codes);

  say("\n== coupons import (a process; peak RSS) ==");
  const base = await runImportBench(ws, importSizes, codes, board, say);

  // Before the journal fixtures are written in this process: their garbage is the bench's, not a
  // terminal's, and a collection of it must not land in the swap's measured window.
  if (want("swap")) {
    say("\n== a new list version while the terminal trades (store and control socket in this process) ==");
    await runListSwapBench(ws, base, ws.signedList(codes, 3), board, say);
  }

  say("\n== a year of trading in the journal ==");
  const traded = journalSizes.map((records) => {
    const t = performance.now();
    const terminal = tradedTerminal(ws, base, records, codes);
    say(
      `${records.toLocaleString("en")} journal records written and sealed in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    return { records, ...terminal };
  });
  const largest = traded[traded.length - 1];
  if (!largest && journalSizes.length) throw new Error("no journal sizes to bench");

  if (want("daemon")) {
    say("\n== daemon start and memory (quan start in a pty) ==");
    await runDaemonBench(
      ws,
      {
        terminals: [{ records: 0, config: base.config }, ...traded],
        codes,
        codeTable,
        cacheFile: join(base.dataDir, "list", "codes.table"),
        reps,
        idleMs,
      },
      board,
      say,
    );
  }

  if (want("check") && largest) {
    say("\n== coupons check of one code (a process) ==");
    await runCheckBench(
      ws,
      [
        { label: "empty journal", config: base.config },
        { label: `${largest.records.toLocaleString("en")} journal records`, config: largest.config },
      ],
      codeTable,
      reps,
      board,
    );
  }

  if (want("commit") && largest) {
    say("\n== commits on a large journal (in this process) ==");
    runCommitBench(ws.storeOptions(largest.dataDir), largest.records, COMMITS, board, say);
  }

  if (want("validate")) {
    say("\n== validation and scan to screen (in this process) ==");
    // The codes in memory, as the daemon holds them (a dry run reads them from the file instead).
    const store = CouponStore.openReadOnly(
      { ...ws.storeOptions(base.dataDir), log: silentLogger() },
      "memory",
    );
    try {
      runValidateBench(store, codes, board);
      runScanToScreenBench(store, codes, board);
    } finally {
      store.close();
    }
  }

  if (want("link")) {
    say("\n== the merchant link (embedded broker and merchant service here, the terminal a process) ==");
    await runLinkBench(ws, codes, board, say);
  }

  say("\n== summary ==");
  say(board.table());
} finally {
  killLiveChildren();
  ws.cleanup();
}
