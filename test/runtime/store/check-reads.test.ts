import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedeemEntry } from "../../../src/protocol/journal/index.js";
import { ulid } from "../../../src/runtime/ids.js";
import { CouponStore, LIST_DIR } from "../../../src/runtime/store/coupon-store.js";
import { GENESIS_HASH, serializeRecord } from "../../../src/runtime/store/journal.js";
import { LEDGER_DIR } from "../../../src/runtime/store/ledger/checkpoint.js";
import { TABLE_FILE } from "../../../src/runtime/store/list-cache/table-file.js";
import { makeStore, type StoreFixture } from "../../helpers/store-fixture.js";

// `quan coupons check` asks about one code: it must read that code's usage, not every counters table.

const HISTORY = 100_000;
const NOW = Date.parse("2026-03-04T04:00:00Z");
const code = (i: number) => `H${String(i).padStart(11, "0")}`;

let fx: StoreFixture;

/** Bytes this process has read through read(2) and friends (page cache included). */
function bytesRead(): number {
  const line = readFileSync("/proc/self/io", "utf8")
    .split("\n")
    .find((l) => l.startsWith("rchar:"));
  return Number(line?.split(/\s+/)[1]);
}

/** `count` redemptions of codes 0..count-1, hash-chained by the real journal code, written at once. */
function writeHistory(dataDir: string, count: number): void {
  const fd = openSync(join(dataDir, "journal.log"), "wx", 0o644);
  try {
    let prev = GENESIS_HASH;
    const lines: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const at = NOW - 86_400_000 + i * 100;
      const entry: RedeemEntry = {
        type: "redeem",
        id: ulid(at),
        at: new Date(at).toISOString(),
        terminal: "T1",
        store: "S1",
        cashier: "k",
        currency: "CNY",
        amount: 5000,
        discount: 100,
        payable: 4900,
        lines: [{ code: code(i), campaign: "c", discount: 100 }],
        listVersion: 1,
      };
      const { line, hash } = serializeRecord(i + 1, prev, entry);
      prev = hash;
      lines.push(line);
    }
    writeSync(fd, Buffer.concat(lines));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

beforeAll(() => {
  const codes = Array.from({ length: HISTORY + 200 }, (_, i) => ({ code: code(i), campaign: "c" }));
  fx = makeStore([{ id: "c", name: "C", kind: "amount", amountOff: 100 }], codes);
  fx.store.close();
  // The history stands in for an empty journal: written as a data dir from before segments holds it.
  for (const d of ["journal", LEDGER_DIR]) rmSync(join(fx.dir, d), { recursive: true, force: true });
  writeHistory(fx.dir, HISTORY);
  // A start folds the history into counters tables and a checkpoint, as a year of trading leaves them.
  const store = fx.reopen();
  const r = store.redeem({ amount: 5000, coupons: [{ code: code(HISTORY) }] }, NOW, "k");
  if (!r.committed) throw new Error(JSON.stringify(r.verdict));
}, 120_000);

afterAll(() => fx.cleanup());

describe("a dry-run check of one code on a large journal", () => {
  it("gives the right verdicts while reading a small part of the counters tables", () => {
    fx.store.close();
    const runs = readdirSync(join(fx.dir, LEDGER_DIR)).filter((n) => n.endsWith(".run"));
    const runBytes = runs.reduce((n, f) => n + statSync(join(fx.dir, LEDGER_DIR, f)).size, 0);
    expect(runBytes).toBeGreaterThan(1_000_000);

    const before = bytesRead();
    const store = CouponStore.openReadOnly(fx.options);
    const verdict = (c: string) => {
      const line = store.check({ amount: 5000, coupons: [{ code: c }] }, NOW).lines[0];
      return line?.ok ? "accepted" : line?.reason;
    };
    try {
      expect(verdict(code(12_345))).toBe("used");
      expect(verdict(code(HISTORY))).toBe("used");
      expect(verdict(code(HISTORY + 1))).toBe("accepted");
    } finally {
      store.close();
    }
    const read = bytesRead() - before;
    // The list table is read through once by design (its SHA-256, so a damaged one is reported).
    const tableBytes = statSync(join(fx.dir, LIST_DIR, TABLE_FILE)).size;
    console.log(
      `three checks read ${read} bytes; the counters tables are ${runBytes} bytes, the list table ${tableBytes}`,
    );
    expect(read - tableBytes).toBeLessThan(runBytes / 4);
  });

  it("counts a tail of redemptions past the checkpoint, as a running terminal leaves it", () => {
    // The terminal runs (its store open, no checkpoint since) while the dry run reads the data dir;
    // replaying 150 records looks up more codes than positioned reads are worth (a run is then read).
    const live = CouponStore.open({ ...fx.options, snapshotEvery: 1_000_000 });
    try {
      for (let i = 0; i < 150; i++) {
        const r = live.redeem({ amount: 5000, coupons: [{ code: code(HISTORY + 20 + i) }] }, NOW + i, "k");
        if (!r.committed) throw new Error(JSON.stringify(r.verdict));
      }
      const store = CouponStore.openReadOnly(fx.options);
      try {
        const verdict = (c: string) => store.check({ amount: 5000, coupons: [{ code: c }] }, NOW).lines[0];
        expect(verdict(code(HISTORY + 20 + 149))).toMatchObject({ ok: false, reason: "used" });
        expect(verdict(code(77))).toMatchObject({ ok: false, reason: "used" });
        expect(verdict(code(HISTORY + 1))).toMatchObject({ ok: true });
      } finally {
        store.close();
      }
    } finally {
      live.close();
    }
  });
});
