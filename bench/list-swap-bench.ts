import { ControlServer } from "../src/runtime/control/control-server.js";
import { controlSocketPath } from "../src/runtime/control/protocol.js";
import { silentLogger } from "../src/runtime/log.js";
import { CouponStore } from "../src/runtime/store/coupon-store.js";
import { anytimeCode } from "./fixture.js";
import { type OneShot, runToEnd, sleep } from "./process-probe.js";
import type { Scoreboard } from "./scoreboard.js";
import { QUAN_BIN, type Workspace } from "./workspace.js";

const WHAT = "a new list version while trading: longest gap between answered scans";
const LIMIT_MS = 50;
const SCAN_EVERY_MS = 2;

interface Scanned {
  /** Scans answered, and the longest time between two answers (ms). */
  scans: number;
  longest: number;
  /** The list version each answer came from, in order. */
  versions: number[];
  refused: number;
}

/**
 * A live list swap as a running terminal does it: the thread that owns the store answers a scan
 * every 2 ms (the validation a scanner's Enter triggers) and serves the control socket, while a
 * shop hands it a newer signed list with `quan coupons import` from another process; the list is
 * verified and built in a worker, then committed on this thread. Reported: the longest gap between
 * two answered scans over the whole hand-over (the event loop's longest block), against the same
 * scans for the same time with no swap (the machine's own noise, same run). Checked, not assumed:
 * the import was applied, no scan went unanswered or was refused, and the answers came from the
 * old list then the new one, never back.
 */
export async function runListSwapBench(
  ws: Workspace,
  terminal: { config: string; dataDir: string },
  nextList: string,
  board: Scoreboard,
  say: (line: string) => void,
): Promise<void> {
  const options = ws.storeOptions(terminal.dataDir);
  const store = CouponStore.open({ ...options, log: silentLogger() });
  const server = new ControlServer({
    socketPath: controlSocketPath(terminal.dataDir),
    store,
    merchant: options.merchant,
    log: silentLogger(),
    now: Date.now,
  });
  await server.start();
  try {
    const from = versionOf(store);
    let handOver: OneShot | null = null;
    const started = performance.now();
    const swap = await measureBlockedScans(store, async () => {
      handOver = await runToEnd(
        [QUAN_BIN, "coupons", "import", nextList, "--config", terminal.config],
        ws.root,
      );
    });
    const took = performance.now() - started;
    const result = handOver as OneShot | null;
    if (result?.code !== 0)
      throw new Error(`the live hand-over failed (${result?.code}): ${result?.stderr ?? "never ran"}`);
    const to = versionOf(store);
    const quiet = await measureBlockedScans(store, () => sleep(took));
    const problems = wholeListProblems(swap, from, to);
    if (problems) throw new Error(`the live swap broke a scan: ${problems}`);
    say(
      `list v${from} -> v${to} handed over by quan coupons import in ${(took / 1000).toFixed(1)} s; ${swap.scans} scans answered meanwhile`,
    );
    board.record({
      what: WHAT,
      value: swap.longest,
      unit: "ms",
      limit: LIMIT_MS,
      baseline: { label: "the same scans with no swap", value: quiet.longest },
      note: `${swap.scans} scans answered, none refused, v${from} until the swap and v${to} after`,
    });
  } finally {
    await server.stop();
    store.close();
  }
}

/**
 * Answers a scan every 2 ms on this thread while `during` runs, and reports the longest time
 * between two answers: how long this thread (the one that answers the scanner) was blocked.
 */
export async function measureBlockedScans(
  store: CouponStore,
  during: () => Promise<unknown>,
): Promise<Scanned> {
  const out: Scanned = { scans: 0, longest: 0, versions: [], refused: 0 };
  let last = performance.now();
  let k = 0;
  const timer = setInterval(() => {
    const verdict = store.check({ amount: 12_850, coupons: [{ code: anytimeCode(k++ % 1000) }] }, Date.now());
    const now = performance.now();
    out.longest = Math.max(out.longest, now - last);
    last = now;
    out.scans++;
    out.versions.push(versionOf(store));
    if (!verdict.lines[0]?.ok) out.refused++;
  }, SCAN_EVERY_MS);
  try {
    await during();
    await sleep(20);
  } finally {
    clearInterval(timer);
  }
  return out;
}

function versionOf(store: CouponStore): number {
  return store.listImportTarget().inForce?.version ?? 0;
}

function wholeListProblems(s: Scanned, from: number, to: number): string | null {
  if (to === from) return `the list in force is still version ${from}`;
  if (s.refused) return `${s.refused} scans refused`;
  const swapAt = s.versions.indexOf(to);
  if (swapAt <= 0) return "no scan was answered on both sides of the swap";
  const mixed = s.versions.some((v, i) => v !== (i < swapAt ? from : to));
  return mixed ? "answers went back to the old list after the swap" : null;
}
