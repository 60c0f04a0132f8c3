import { rmSync, statSync } from "node:fs";
import { MAX_ENVELOPE_BYTES } from "../src/protocol/limits.js";
import { benchCode } from "./fixture.js";
import { type OneShot, runToEnd } from "./process-probe.js";
import type { Scoreboard } from "./scoreboard.js";
import { median } from "./stats.js";
import { LOAD_CHILD, QUAN_BIN, type Workspace } from "./workspace.js";

const IMPORT_TARGET_MB = 250;
const CHECK_TARGET_MS = 300;

const count = (n: number) => n.toLocaleString("en");

async function quan(ws: Workspace, args: string[]): Promise<OneShot> {
  const run = await runToEnd([QUAN_BIN, ...args], ws.root);
  if (run.code !== 0) throw new Error(`quan ${args.join(" ")} failed (${run.code}): ${run.stderr}`);
  return run;
}

/**
 * `quan coupons import` as a process, peak RSS, for each list size: into an empty data dir, then a
 * version 2 over it. Baseline: a process reading the signed file's bytes. Returns the data dir for
 * `keep` codes (version 2 in force), the starting point for the other benches.
 */
export async function runImportBench(
  ws: Workspace,
  sizes: readonly number[],
  keep: number,
  board: Scoreboard,
  say: (line: string) => void,
): Promise<{ config: string; dataDir: string }> {
  let kept: { config: string; dataDir: string } | null = null;
  for (const n of sizes) {
    say(`signing lists of ${count(n)} codes (versions 1 and 2)...`);
    const v1 = ws.signedList(n, 1);
    const v2 = ws.signedList(n, 2);
    const size = statSync(v1).size;
    if (size > MAX_ENVELOPE_BYTES) {
      // The terminal refuses such a file before reading it (a policy, not a figure to beat).
      say(
        `coupons import, ${count(n)} codes: not measured: the signed list is ${(size / 2 ** 20).toFixed(0)} MiB, over the ${MAX_ENVELOPE_BYTES / 2 ** 20} MiB a terminal reads`,
      );
      rmSync(v1);
      rmSync(v2);
      continue;
    }
    const terminal = ws.terminal(`import-${n}`);
    const empty = await quan(ws, ["coupons", "import", v1, "--config", terminal.config]);
    const over = await quan(ws, ["coupons", "import", v2, "--config", terminal.config]);
    const bytes = await runToEnd([LOAD_CHILD, "once", "read", v2], ws.root);
    const baseline = { label: "reading the signed file's bytes", value: bytes.peakMb };
    for (const [run, into] of [
      [empty, "into an empty data dir"],
      [over, "over an older version"],
    ] as const) {
      board.record({
        what: `coupons import peak RSS, ${count(n)} codes ${into}`,
        value: run.peakMb,
        unit: "MB",
        limit: IMPORT_TARGET_MB,
        baseline,
        note: `took ${(run.ms / 1000).toFixed(1)} s`,
      });
    }
    rmSync(v1);
    rmSync(v2);
    if (n === keep) kept = terminal;
    else rmSync(terminal.dataDir, { recursive: true, force: true });
  }
  if (!kept) throw new Error(`import sizes ${sizes.join(", ")} do not include ${keep}`);
  return kept;
}

/**
 * `quan coupons check` of one code as a whole process (Node start and module loading included),
 * on each data dir given. Baselines: Node doing nothing, and a process finding the code in the
 * sorted code table.
 */
export async function runCheckBench(
  ws: Workspace,
  terminals: readonly { label: string; config: string }[],
  codeTable: string,
  reps: number,
  board: Scoreboard,
): Promise<void> {
  const code = benchCode(1);
  const node = await repeat(reps, () => runToEnd(["-e", "0"], ws.root));
  const lookup = await repeat(reps, () => runToEnd([LOAD_CHILD, "once", "lookup", codeTable, code], ws.root));
  if (!lookup.last.stdout.startsWith("found"))
    throw new Error(`baseline lookup missed ${code}: ${lookup.last.stdout}`);
  for (const t of terminals) {
    const check = await repeat(reps, async () => {
      const run = await runToEnd(
        [QUAN_BIN, "coupons", "check", "--config", t.config, "--code", code, "--amount", "128.50"],
        ws.root,
      );
      if (run.code !== 0)
        throw new Error(
          `coupons check of ${code} did not accept it (${run.code}): ${run.stdout}${run.stderr}`,
        );
      return run;
    });
    board.record({
      what: `coupons check of one code, ${t.label}: wall time`,
      value: check.ms,
      unit: "ms",
      limit: CHECK_TARGET_MS,
      baseline: { label: "a process finding it in the sorted code table", value: lookup.ms },
      note: `bare node -e 0: ${node.ms.toFixed(0)} ms`,
    });
    board.record({
      what: `coupons check of one code, ${t.label}: peak RSS`,
      value: check.peakMb,
      unit: "MB",
      baseline: { label: "a process finding it in the sorted code table", value: lookup.peakMb },
    });
  }
}

/** Median wall time and peak RSS over `reps` runs. */
async function repeat(
  reps: number,
  run: () => Promise<OneShot>,
): Promise<{ ms: number; peakMb: number; last: OneShot }> {
  const runs: OneShot[] = [];
  for (let i = 0; i < reps; i++) runs.push(await run());
  return {
    ms: median(runs.map((r) => r.ms)),
    peakMb: median(runs.map((r) => r.peakMb)),
    last: runs[runs.length - 1] as OneShot,
  };
}
