import { type OneShot, runToEnd, settleInPty } from "./process-probe.js";
import type { Scoreboard } from "./scoreboard.js";
import { QUAN_BIN, STORE_NAME, type Workspace } from "./workspace.js";

const WHAT = "a new list version while trading: longest blocked scan";
const TARGET = "applied live; scans never blocked > 50 ms";

/**
 * A live list swap: a daemon runs on the data dir and a newer signed list is handed to it the way
 * a shop would today (`quan coupons import` with the same config). Today the data-dir lock refuses
 * the import while the daemon runs, and that refusal is what is reported, never a made-up figure.
 *
 * Once the daemon accepts lists live, the measurement belongs in `measureBlockedScans`: feed scans
 * into the daemon's pty at a steady rate while the swap runs, time each verdict screen, and report
 * the longest gap (target <= 50 ms) plus that every scan got a verdict from a whole list.
 */
export async function runListSwapBench(
  ws: Workspace,
  terminal: { config: string },
  nextList: string,
  idleMs: number,
  board: Scoreboard,
): Promise<void> {
  let handOver: OneShot | null = null;
  await settleInPty({
    args: [QUAN_BIN, "start", "--config", terminal.config],
    cwd: ws.root,
    marker: STORE_NAME,
    idleMs,
    whileIdle: async () => {
      handOver = await runToEnd(
        [QUAN_BIN, "coupons", "import", nextList, "--config", terminal.config],
        ws.root,
      );
    },
  });
  const result = handOver as OneShot | null;
  if (!result) throw new Error("the list hand-over never ran");
  if (result.code !== 0) {
    const reason = result.stderr.trim().split("\n")[0] ?? `exit ${result.code}`;
    board.unsupported(
      WHAT,
      TARGET,
      `the daemon must be stopped: import while it runs exits ${result.code}: ${reason}`,
    );
    return;
  }
  const blockedMs = measureBlockedScans();
  if (blockedMs === null) {
    board.unsupported(
      WHAT,
      TARGET,
      "the import was accepted while the daemon ran, but scans during the swap are not measured yet",
    );
    return;
  }
  board.record({ what: WHAT, value: blockedMs, unit: "ms", limit: 50 });
}

/** Not written yet: it needs a daemon that swaps lists live (see runListSwapBench). */
function measureBlockedScans(): number | null {
  return null;
}
