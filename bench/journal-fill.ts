import { closeSync, copyFileSync, cpSync, fsyncSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RedeemEntry } from "../src/protocol/journal/index.js";
import { ulid } from "../src/runtime/ids.js";
import { silentLogger } from "../src/runtime/log.js";
import { CouponStore, type CouponStoreOptions } from "../src/runtime/store/coupon-store.js";
import { GENESIS_HASH, serializeRecord } from "../src/runtime/store/journal.js";
import { anytimeCode } from "./fixture.js";
import type { Workspace } from "./workspace.js";

const YEAR_MS = 365 * 86_400_000;
const CAMPAIGNS = ["pct20", "cash10", "thr100", "tea"] as const;

/**
 * A year of trading written straight into a data dir's journal: `count` redemptions of codes from
 * earlier list versions ("H…", not in the list in force), serialised and hash-chained by the real
 * journal code, so the store opens it exactly as one written by a million `redeem()`s, in seconds.
 * The history ends an hour ago (the daemon's clock must be ahead of it to trust itself).
 */
export function fillJournal(dataDir: string, count: number, endsAt = Date.now() - 3_600_000): void {
  const fd = openSync(join(dataDir, "journal.log"), "wx", 0o644);
  try {
    const startsAt = endsAt - YEAR_MS;
    let prev = GENESIS_HASH;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for (let i = 0; i < count; i++) {
      const at = Math.floor(startsAt + (i * YEAR_MS) / count);
      const amount = 2000 + ((i * 7919) % 30_000);
      const campaign = CAMPAIGNS[i % CAMPAIGNS.length] as string;
      const discount = campaign === "tea" ? 0 : Math.min(1000, Math.floor(amount / 5));
      const entry: RedeemEntry = {
        type: "redeem",
        id: ulid(at),
        at: new Date(at).toISOString(),
        terminal: "T01",
        store: "S1",
        cashier: "bench",
        currency: "CNY",
        amount,
        discount,
        payable: amount - discount,
        lines: [
          {
            code: `H${String(i).padStart(11, "0")}`,
            campaign,
            discount,
            ...(campaign === "tea" ? { gift: "柠檬茶" } : {}),
          },
        ],
        listVersion: 1,
      };
      const { line, hash } = serializeRecord(i + 1, prev, entry);
      prev = hash;
      pending.push(line);
      pendingBytes += line.length;
      if (pendingBytes >= 1 << 22) {
        writeSync(fd, Buffer.concat(pending));
        pending = [];
        pendingBytes = 0;
      }
    }
    if (pending.length > 0) writeSync(fd, Buffer.concat(pending));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens the filled data dir once through the real store and commits one redemption, so that it
 * closes with a counters snapshot, as a terminal that has traded for a year always has one.
 */
export function sealJournal(options: Omit<CouponStoreOptions, "log">, code: string, now = Date.now()): void {
  const store = CouponStore.open({ ...options, log: silentLogger() });
  try {
    const result = store.redeem({ amount: 12_850, coupons: [{ code }] }, now, "bench");
    if (!result.committed)
      throw new Error(`sealing redemption of ${code} refused: ${JSON.stringify(result.verdict.lines)}`);
  } finally {
    store.close();
  }
}

/**
 * A terminal that has traded: the list cache and state of `base` (a data dir with the list in
 * force), `records` redemptions in its journal and the counters snapshot a running terminal keeps.
 */
export function tradedTerminal(
  ws: Workspace,
  base: { dataDir: string },
  records: number,
  codes: number,
): { config: string; dataDir: string } {
  const terminal = ws.terminal(`journal-${records}`);
  copyFileSync(join(base.dataDir, "state.json"), join(terminal.dataDir, "state.json"));
  cpSync(join(base.dataDir, "list"), join(terminal.dataDir, "list"), { recursive: true });
  fillJournal(terminal.dataDir, records);
  // The last code that redeems at any hour: the commit bench uses them from the first.
  sealJournal(ws.storeOptions(terminal.dataDir), anytimeCode(Math.floor(codes * 0.8) - 1));
  return terminal;
}
