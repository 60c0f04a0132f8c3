import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { entryOf, type RedeemEntry } from "../../../../src/protocol/journal/index.js";
import { applyEntry, emptyUsage } from "../../../../src/runtime/ledger/usage.js";
import { CouponStore } from "../../../../src/runtime/store/coupon-store.js";
import { JournalCorruptError } from "../../../../src/runtime/store/journal.js";
import { walkJournal } from "../../../../src/runtime/store/ledger/segments.js";
import { journalRecords } from "../../../helpers/journal-files.js";
import { MANAGER_PIN, makeStore, type StoreFixture } from "../../../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const CODES = 60;
const campaigns = [{ id: "c", name: "C", kind: "amount" as const, amountOff: 100, stackable: true }];
const codes = Array.from({ length: CODES }, (_, i) => ({
  code: `C-${String(i).padStart(3, "0")}`,
  campaign: "c",
  uses: 3,
}));
const basket = (code: string) => ({ amount: 5000, coupons: [{ code }] });

let fx: StoreFixture;
afterEach(() => fx?.cleanup());

const segmentsOf = (dir: string) =>
  readdirSync(join(dir, "journal"))
    .filter((f) => f.endsWith(".log"))
    .sort();
const segmentPath = (name: string) => join(fx.dir, "journal", name);

/** 100 redemptions (and a few voids) over many small segments, checkpoints and merges on the way. */
function manySegments(): RedeemEntry[] {
  fx = makeStore(campaigns, codes, { options: { segmentBytes: 2000, snapshotEvery: 9 } });
  const done: RedeemEntry[] = [];
  for (let i = 0; i < 100; i++) {
    const r = fx.store.redeem(basket(`C-${String((i * 7) % CODES).padStart(3, "0")}`), NOW + i * 1000, "a");
    if (!r.committed) throw new Error(JSON.stringify(r.verdict));
    done.push(r.entry);
    if (i % 17 === 5) fx.store.voidLastRedemption(r.entry.id, NOW + i * 1000 + 1, "a", MANAGER_PIN);
  }
  return done;
}

describe("the journal in segments", () => {
  it("rolls to new segments whose first record chains to the previous segment's last", () => {
    manySegments();
    fx.store.close();
    const names = segmentsOf(fx.dir);
    expect(names.length).toBeGreaterThan(10);
    const records = journalRecords(fx.dir);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    // Each segment is a journal of its own whose first line continues the chain.
    const firstOf2 = readFileSync(segmentPath(names[1] as string), "utf8").split("\n")[0] as string;
    const lastOf1 = readFileSync(segmentPath(names[0] as string), "utf8")
      .trim()
      .split("\n")
      .at(-1) as string;
    expect(JSON.parse(firstOf2.split("\t")[0] as string).prev).toBe(lastOf1.split("\t")[1]);
  });

  it("counters after restarts, checkpoints and merges equal counters folded from the whole journal", () => {
    manySegments();
    fx.reopen();
    const expected = emptyUsage();
    const byId = new Map<string, RedeemEntry>();
    for (const r of journalRecords(fx.dir)) {
      const e = entryOf(r);
      if (e.type === "redeem") byId.set(e.id, e);
      applyEntry(expected, e, r.seq, (id) => byId.get(id));
    }
    for (let i = 0; i < CODES; i++) {
      const code = `C-${String(i).padStart(3, "0")}`;
      const uses = expected.codeUses.get(code) ?? 0;
      const line = fx.store.check(basket(code), NOW + 200_000).lines[0];
      expect(line?.ok, `${code} used ${uses} times`).toBe(uses < 3);
      if (!line?.ok) expect(line).toMatchObject({ lastUse: expected.lastUse.get(code) });
    }
    expect(fx.store.status(NOW).redemptions).toBe(100);
  });

  it("a start reads only the tail: damage in an old segment does not stop it, `journal verify` finds it", () => {
    manySegments();
    fx.store.close();
    const first = segmentPath(segmentsOf(fx.dir)[0] as string);
    const bytes = readFileSync(first);
    bytes[40] = bytes[40] === 0x31 ? 0x32 : 0x31;
    writeFileSync(first, bytes);
    fx.store = CouponStore.open(fx.options);
    expect(() => walkJournal(fx.dir, () => {})).toThrow(JournalCorruptError);
    try {
      walkJournal(fx.dir, () => {});
    } catch (err) {
      expect((err as JournalCorruptError).path).toBe(first);
      expect((err as JournalCorruptError).line).toBe(1);
    }
  });

  it("a record removed at the end of a middle segment breaks the chain at the next segment's first", () => {
    manySegments();
    fx.store.close();
    const names = segmentsOf(fx.dir);
    const middle = segmentPath(names[3] as string);
    const text = readFileSync(middle, "utf8");
    truncateSync(middle, text.lastIndexOf("\n", text.length - 2) + 1);
    expect(() => walkJournal(fx.dir, () => {})).toThrow(/hash chain is broken|expected record/);
  });

  it("a missing middle segment is damage, named", () => {
    manySegments();
    fx.store.close();
    rmSync(segmentPath(segmentsOf(fx.dir)[2] as string));
    expect(() => walkJournal(fx.dir, () => {})).toThrow(/000003\.log is missing/);
  });

  it("a torn first record of a new segment (power cut right after the roll) is cut, and the chain goes on", () => {
    manySegments();
    fx.store.close();
    const names = segmentsOf(fx.dir);
    const last = segmentPath(names.at(-1) as string);
    const lines = readFileSync(last, "utf8").split("\n");
    writeFileSync(last, (lines[0] as string).slice(0, 50));
    rmSync(join(fx.dir, "ledger"), { recursive: true }); // nothing says it was committed
    fx.store = CouponStore.open(fx.options);
    expect(readdirSync(join(fx.dir, "journal")).some((f) => f.includes(".torn-"))).toBe(true);
    const r = fx.store.redeem(basket("C-001"), NOW + 500_000, "b");
    expect(r.committed).toBe(true);
    fx.store.close();
    const records = journalRecords(fx.dir);
    expect(records.map((x) => x.seq)).toEqual(records.map((_, i) => i + 1));
  });

  it("reports and old redemptions are read from the segments that hold them", () => {
    const done = manySegments();
    fx.reopen();
    const all = fx.store.entriesBetween(NOW, NOW + 1_000_000);
    expect(all.filter((e) => e.type === "redeem")).toHaveLength(100);
    expect(all.filter((e) => e.type === "void").length).toBeGreaterThan(3);
    const some = fx.store.entriesBetween(NOW + 10_000, NOW + 20_000);
    expect(some.filter((e) => e.type === "redeem").map((e) => e.id)).toEqual(
      done.slice(10, 20).map((e) => e.id),
    );
    // The oldest, long out of RAM: still found, with its void.
    expect(fx.store.redemption(done[5]?.id as string)).toMatchObject({ voided: true });
    expect(fx.store.redemption(done[6]?.id as string)).toMatchObject({ voided: false });
  });
});
