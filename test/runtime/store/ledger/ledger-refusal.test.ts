import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RedeemEntry, VoidEntry } from "../../../../src/protocol/journal/index.js";
import { ulid } from "../../../../src/runtime/ids.js";
import { LedgerError } from "../../../../src/runtime/ledger/usage.js";
import { silentLogger } from "../../../../src/runtime/log.js";
import { Ledger, type LedgerOptions } from "../../../../src/runtime/store/ledger/ledger.js";
import { journalRecords, journalText } from "../../../helpers/journal-files.js";

// An entry the counters would reject must never reach the journal: once there, every start
// replays it, the counters reject it again, and the terminal no longer starts.

const T0 = Date.parse("2026-03-04T04:00:00Z");

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function options(more: Partial<LedgerOptions> = {}): LedgerOptions {
  return {
    dataDir: dir,
    terminal: "T1",
    voidWindowMs: 30 * 60_000,
    log: silentLogger(),
    checkpointEvery: 3,
    segmentBytes: 1500,
    ...more,
  };
}

const open = (more: Partial<LedgerOptions> = {}) => Ledger.open(options(more)).ledger;

function redeem(i: number, at: number, extra: Partial<RedeemEntry> = {}): RedeemEntry {
  return {
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
    lines: [{ code: `K-${i}`, campaign: "c", discount: 100 }],
    listVersion: 1,
    ...extra,
  };
}

const voidOf = (target: string, at: number): VoidEntry => ({
  type: "void",
  id: ulid(at),
  target,
  at: new Date(at).toISOString(),
  terminal: "T1",
  cashier: "k",
});

/** Commits a few redemptions, one of them voided; returns the voided one and the one after it. */
function history(ledger: Ledger): { voided: RedeemEntry; kept: RedeemEntry } {
  const voided = redeem(1, T0);
  ledger.commit(voided);
  ledger.commit(voidOf(voided.id, T0 + 1000));
  const kept = redeem(2, T0 + 2000);
  ledger.commit(kept);
  return { voided, kept };
}

describe("a commit the counters would reject", () => {
  const refusals: [string, (h: { voided: RedeemEntry; kept: RedeemEntry }) => RedeemEntry | VoidEntry][] = [
    ["a second void of a voided redemption", (h) => voidOf(h.voided.id, T0 + 5000)],
    ["a redemption whose id is already in the journal", (h) => ({ ...redeem(3, T0 + 5000), id: h.kept.id })],
    ["a void of a redemption the journal does not hold", () => voidOf(ulid(T0 - 1000), T0 + 5000)],
  ];

  for (const [what, entryFor] of refusals) {
    it(`${what} is refused, nothing is appended, and the store reopens and trades`, () => {
      dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
      const ledger = open();
      const h = history(ledger);
      const before = journalText(dir);
      const counted = ledger.usage.codeUses.get("K-2");

      expect(() => ledger.commit(entryFor(h))).toThrow(LedgerError);
      expect(() => ledger.commit(entryFor(h))).toThrow(/refused, nothing was written/);
      expect(journalText(dir)).toBe(before);
      expect(ledger.usage.codeUses.get("K-2")).toBe(counted);
      expect(ledger.redemption(h.voided.id)?.voided).toBe(true);
      expect(ledger.redemption(h.kept.id)?.voided).toBe(false);
      // The same ledger goes on trading after the refusal.
      ledger.commit(redeem(4, T0 + 6000));
      ledger.close();

      const reopened = open();
      expect(reopened.redemptions).toBe(3);
      reopened.commit(redeem(5, T0 + 7000));
      reopened.commit(voidOf(h.kept.id, T0 + 8000));
      expect(reopened.usage.codeUses.get("K-2")).toBeUndefined();
      reopened.close();
      expect(journalRecords(dir).map((r) => r.type)).toEqual([
        "redeem",
        "void",
        "redeem",
        "redeem",
        "redeem",
        "void",
      ]);
    });
  }

  it("a redemption voided after a restart (looked up in the journal) cannot be voided twice", () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open();
    const old = redeem(1, T0);
    ledger.commit(old);
    // Two hours of trading: the old one leaves the redemptions kept in RAM.
    for (let i = 0; i < 12; i++) ledger.commit(redeem(i + 10, T0 + 2 * 3_600_000 + i * 1000));
    ledger.close();
    const reopened = open();
    reopened.commit(voidOf(old.id, T0 + 2 * 3_600_000 + 60_000));
    reopened.close();
    const third = open();
    const before = journalText(dir);
    expect(() => third.commit(voidOf(old.id, T0 + 2 * 3_600_000 + 90_000))).toThrow(/voided twice/);
    expect(journalText(dir)).toBe(before);
    third.close();
    open().close();
  });
});
