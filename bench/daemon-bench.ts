import { type Settled, settleInPty } from "./process-probe.js";
import type { Scoreboard } from "./scoreboard.js";
import { median } from "./stats.js";
import { LOAD_CHILD, QUAN_BIN, STORE_NAME, type Workspace } from "./workspace.js";

const FIRST_PAINT_TARGET_MS = 500;
const IDLE_RSS_TARGET_MB = 150;
/** Start with a year of redemptions: at most this many times the empty-journal start... */
const JOURNAL_START_FACTOR = 1.5;
/** ...and at most this much more resident memory. */
const JOURNAL_RSS_EXTRA_MB = 50;

export interface DaemonBenchInput {
  /** Data dirs with the same list in force and 0, … records in the journal (the first has 0). */
  terminals: readonly { records: number; config: string }[];
  codes: number;
  codeTable: string;
  cacheFile: string;
  reps: number;
  idleMs: number;
}

const count = (n: number) => n.toLocaleString("en");

/**
 * `quan start --config FILE` as a user meets it: spawned in a pseudo-terminal, timed from spawn to
 * its first screen, then left idle and its RSS read from /proc (no forced GC). Baselines in the
 * same run, spawned the same way: bare Node, reading the sorted code table, reading the list
 * cache's bytes, a Map of the codes.
 */
export async function runDaemonBench(
  ws: Workspace,
  input: DaemonBenchInput,
  board: Scoreboard,
  say: (line: string) => void,
): Promise<void> {
  const settle = (args: string[], marker: string) =>
    repeat(input.reps, () => settleInPty({ args, cwd: ws.root, marker, idleMs: input.idleMs }));
  say("baselines: bare node, sorted code table, cache bytes, Map of the codes (each in a pty)...");
  const node = await settle([LOAD_CHILD, "stay", "empty"], "READY");
  const table = await settle([LOAD_CHILD, "stay", "read", input.codeTable], "READY");
  const cacheBytes = await settle([LOAD_CHILD, "stay", "read", input.cacheFile], "READY");
  const map = await settle([LOAD_CHILD, "stay", "map", String(input.codes)], "READY");
  say(
    `  ready: node ${node.readyMs.toFixed(0)} ms, table ${table.readyMs.toFixed(0)} ms, cache bytes ${cacheBytes.readyMs.toFixed(0)} ms, Map ${map.readyMs.toFixed(0)} ms; idle RSS: node ${node.rssMb.toFixed(0)} MB, table ${table.rssMb.toFixed(0)} MB, cache bytes ${cacheBytes.rssMb.toFixed(0)} MB, Map ${map.rssMb.toFixed(0)} MB`,
  );

  let empty: Settled | null = null;
  const runs: { records: number; rssMb: number }[] = [];
  for (const t of input.terminals) {
    say(`daemon with ${count(input.codes)} codes and ${count(t.records)} journal records...`);
    const daemon = await settle([QUAN_BIN, "start", "--config", t.config], STORE_NAME);
    const label = `${count(input.codes)} codes, ${count(t.records)} journal records`;
    if (!empty) {
      empty = daemon;
      board.record({
        what: `daemon start to first paint, ${label}`,
        value: daemon.readyMs,
        unit: "ms",
        limit: FIRST_PAINT_TARGET_MS,
        baseline: { label: "a process reading the sorted code table", value: table.readyMs },
        note: `bare node ${node.readyMs.toFixed(0)} ms, reading the cache's bytes ${cacheBytes.readyMs.toFixed(0)} ms`,
      });
      board.record({
        what: `daemon idle RSS, ${label}`,
        value: daemon.rssMb,
        unit: "MB",
        limit: IDLE_RSS_TARGET_MB,
        baseline: { label: "a Map of the same codes", value: map.rssMb },
        note: `sorted code table ${table.rssMb.toFixed(0)} MB, bare node ${node.rssMb.toFixed(0)} MB`,
      });
    } else {
      board.record({
        what: `daemon start to first paint, ${label}`,
        value: daemon.readyMs,
        unit: "ms",
        limit: JOURNAL_START_FACTOR * empty.readyMs,
        targetText: `<= ${JOURNAL_START_FACTOR}x the empty-journal start`,
        baseline: { label: "the empty-journal start", value: empty.readyMs },
      });
      board.record({
        what: `daemon idle RSS, ${label}`,
        value: daemon.rssMb,
        unit: "MB",
        limit: empty.rssMb + JOURNAL_RSS_EXTRA_MB,
        targetText: `<= the empty-journal RSS + ${JOURNAL_RSS_EXTRA_MB} MB`,
        baseline: { label: "the empty-journal RSS", value: empty.rssMb },
      });
    }
    board.record({
      what: `daemon peak RSS during start, ${label}`,
      value: daemon.peakMb,
      unit: "MB",
      baseline:
        empty === daemon
          ? { label: "a Map of the same codes", value: map.peakMb }
          : { label: "the empty-journal peak", value: empty.peakMb },
    });
    runs.push({ records: t.records, rssMb: daemon.rssMb });
  }
  sayCapacity(runs, node.rssMb, input.codes, say);
}

/** What each code and each journal record costs in resident memory: how much a board holds. */
function sayCapacity(
  runs: readonly { records: number; rssMb: number }[],
  nodeMb: number,
  codes: number,
  say: (line: string) => void,
): void {
  const [empty, ...traded] = runs;
  if (!empty) return;
  say(
    `  resident memory per 1,000 codes (daemon over bare node): ${(((empty.rssMb - nodeMb) / codes) * 1000).toFixed(2)} MB`,
  );
  for (const t of traded) {
    say(
      `  resident memory per 1,000 journal records (${count(t.records)} records over an empty journal): ${(((t.rssMb - empty.rssMb) / t.records) * 1000).toFixed(2)} MB`,
    );
  }
}

/** Medians of start-up and memory over `reps` runs (this machine is shared and noisy). */
async function repeat(reps: number, run: () => Promise<Settled>): Promise<Settled> {
  const runs: Settled[] = [];
  for (let i = 0; i < reps; i++) runs.push(await run());
  return {
    readyMs: median(runs.map((r) => r.readyMs)),
    rssMb: median(runs.map((r) => r.rssMb)),
    peakMb: median(runs.map((r) => r.peakMb)),
  };
}
