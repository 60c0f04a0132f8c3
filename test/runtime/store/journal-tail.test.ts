import { existsSync, readdirSync, readFileSync, rmSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import { JournalCorruptError } from "../../../src/runtime/store/journal.js";
import { at } from "../../helpers/coupon-fixtures.js";
import { firstSegment } from "../../helpers/journal-files.js";
import { makeStore, type StoreFixture } from "../../helpers/store-fixture.js";

// The last committed record of a journal loses its end (a bad SD card, a copy cut short): what the
// store does next decides whether a used coupon can be used again.
const NOW = at("2026-03-04T04:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000, stackable: true }];
const codes = [
  { code: "CASH-0001", campaign: "cash" },
  { code: "CASH-0002", campaign: "cash" },
];
const basket = (code: string) => ({ amount: 5000, coupons: [{ code }] });

let fx: StoreFixture;
afterEach(() => fx?.cleanup());

/** Two redemptions committed, store closed (which writes a counters checkpoint). */
function twoRedemptions(): { journal: string; full: Buffer } {
  fx = makeStore(campaigns, codes);
  expect(fx.store.redeem(basket("CASH-0001"), NOW, "a").committed).toBe(true);
  expect(fx.store.redeem(basket("CASH-0002"), NOW + 1000, "a").committed).toBe(true);
  fx.store.close();
  const journal = firstSegment(fx.dir);
  return { journal, full: readFileSync(journal) };
}

/** As if the process died before its close wrote the counters checkpoint. */
function dropSnapshot(): void {
  rmSync(join(fx.dir, "ledger"), { recursive: true, force: true });
}

function capturingLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

const quarantined = () => readdirSync(join(fx.dir, "journal")).filter((f) => f.includes(".torn-"));
const lastLineStart = (bytes: Buffer) => bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;

describe("a committed last record that lost its newline", () => {
  it.each([
    ["with", true],
    ["without", false],
  ])("is kept %s a counters checkpoint: the newline is put back and the code stays used", (_w, snapshot) => {
    const { journal, full } = twoRedemptions();
    if (!snapshot) dropSnapshot();
    truncateSync(journal, full.length - 1);

    fx.store = CouponStore.open(fx.options);
    expect(fx.store.check(basket("CASH-0002"), NOW + 2000).lines[0]).toMatchObject({
      ok: false,
      reason: "used",
    });
    expect(readFileSync(journal).equals(full)).toBe(true);
    expect(fx.store.redeem(basket("CASH-0002"), NOW + 3000, "a").committed).toBe(false);
    expect(quarantined()).toEqual([]);
  });
});

describe("a last record cut by a few bytes", () => {
  it.each([2, 5, 40])(
    "with a checkpoint that says it was committed: the start is refused and the file is untouched (cut by %i)",
    (cut) => {
      const { journal, full } = twoRedemptions();
      truncateSync(journal, full.length - cut);
      const before = readFileSync(journal);

      let error: unknown;
      try {
        CouponStore.open(fx.options);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(JournalCorruptError);
      expect(error).toMatchObject({ line: 2, offset: lastLineStart(full) });
      expect((error as Error).message).toMatch(/line 2 \(byte \d+\).*checkpoint.*record 2.*restore/s);
      expect(readFileSync(journal).equals(before)).toBe(true);
      expect(quarantined()).toEqual([]);
      // Refused, not locked: the same answer again, and the lock was released.
      expect(() => CouponStore.open(fx.options)).toThrow(JournalCorruptError);
      expect(existsSync(join(fx.dir, "lock"))).toBe(false);
    },
  );

  it("without evidence of a commit it is cut, logged, and its bytes kept in a quarantine file", () => {
    const { journal, full } = twoRedemptions();
    dropSnapshot();
    truncateSync(journal, full.length - 5);
    const cutBytes = readFileSync(journal).subarray(lastLineStart(full));
    const { log, lines } = capturingLogger();

    fx.store = CouponStore.open({ ...fx.options, log });
    expect(readFileSync(journal).equals(full.subarray(0, lastLineStart(full)))).toBe(true);
    const files = quarantined();
    expect(files).toHaveLength(1);
    expect(readFileSync(join(fx.dir, "journal", files[0] as string)).equals(cutBytes)).toBe(true);
    const warning = lines.find((l) => l.level === 40 && /torn/.test(l.msg));
    expect(warning?.msg).toContain(files[0]);
    expect(fx.store.check(basket("CASH-0001"), NOW).lines[0]).toMatchObject({ reason: "used" });
  });
});

describe("a read-only open (a dry run while the terminal runs) never writes", () => {
  it.each([1, 5])("with the last record cut by %i byte(s)", (cut) => {
    const { journal, full } = twoRedemptions();
    dropSnapshot();
    truncateSync(journal, full.length - cut);
    const before = readFileSync(journal);
    const files = readdirSync(fx.dir).sort();

    const reader = CouponStore.openReadOnly(fx.options);
    reader.close();
    expect(readFileSync(journal).equals(before)).toBe(true);
    expect(readdirSync(fx.dir).sort()).toEqual(files);
  });

  it("sees a record that only lost its newline as committed", () => {
    const { journal, full } = twoRedemptions();
    truncateSync(journal, full.length - 1);
    const reader = CouponStore.openReadOnly(fx.options);
    expect(reader.check(basket("CASH-0002"), NOW + 2000).lines[0]).toMatchObject({ reason: "used" });
    reader.close();
  });
});
