import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { entryOf } from "../../../../src/protocol/journal/index.js";
import { hashPin } from "../../../../src/runtime/config/pin.js";
import { silentLogger } from "../../../../src/runtime/log.js";
import { CouponStore } from "../../../../src/runtime/store/coupon-store.js";
import { quan } from "../../../helpers/cli-harness.js";
import { journalRecords } from "../../../helpers/journal-files.js";
import { MANAGER_PIN, makeStore, type StoreFixture } from "../../../helpers/store-fixture.js";

// Reads that now come from the segments instead of RAM: reports over any span, and the export.

const FIXTURE = join(import.meta.dirname, "../../../fixtures/legacy-data-dir");
const NOW = Date.parse("2026-03-04T04:00:00Z");

let fx: StoreFixture | undefined;
let dir: string | undefined;
afterEach(() => {
  fx?.cleanup();
  fx = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("reads across segments", () => {
  it("a report over any span, across segment boundaries, has exactly the journal's records in it", () => {
    const codes = Array.from({ length: 50 }, (_, i) => ({
      code: `RPT-${String(i).padStart(4, "0")}`,
      campaign: "c",
      uses: 5,
    }));
    fx = makeStore([{ id: "c", name: "C", kind: "amount", amountOff: 100 }], codes, {
      options: { segmentBytes: 1200, snapshotEvery: 4 },
    });
    for (let i = 0; i < 90; i++) {
      const r = fx.store.redeem(
        { amount: 5000, coupons: [{ code: `RPT-${String(i % 50).padStart(4, "0")}` }] },
        NOW + i * 7000,
        "k",
      );
      if (!r.committed) throw new Error(JSON.stringify(r.verdict));
      if (i % 6 === 1) fx.store.voidLastRedemption(r.entry.id, NOW + i * 7000 + 3000, "k", MANAGER_PIN);
    }
    const store = fx.reopen();
    const all = journalRecords(fx.dir).map(entryOf);
    for (const [from, to] of [
      [NOW, NOW + 90 * 7000],
      [NOW + 3000, NOW + 3000 + 7000 * 13],
      [NOW + 7000 * 31 + 1, NOW + 7000 * 58 + 3000],
      [NOW + 7000 * 89, NOW + 7000 * 200],
      [NOW - 1000, NOW],
    ] as const) {
      const expected = all.filter((e) => Date.parse(e.at) >= from && Date.parse(e.at) < to);
      const got = store.entriesBetween(from, to);
      expect(got.map((e) => e.id).sort()).toEqual(expected.map((e) => e.id).sort());
      const sum = (xs: typeof got) => xs.reduce((n, e) => n + (e.type === "redeem" ? e.discount : 0), 0);
      expect(sum(got)).toBe(sum(expected));
    }
  });

  it("`journal export` of a data dir from before segments is byte for byte what the old code exported, before and after the migration", async () => {
    dir = mkdtempSync(join(tmpdir(), "quan-legacy-"));
    cpSync(FIXTURE, dir, { recursive: true });
    const merchant = JSON.parse(readFileSync(join(dir, "merchant.json"), "utf8")) as { publicKey: string };
    rmSync(join(dir, "merchant.json"));
    // The old export, plus the `conflict` column added since (empty: this terminal never had a link).
    const golden = readFileSync(join(FIXTURE, "../legacy-data-dir.export.csv"), "utf8")
      .split("\r\n")
      .map((line, i) => (line === "" ? line : i === 0 ? `${line},conflict` : `${line},`))
      .join("\r\n");

    const before = await quan(["journal", "export", "--data", dir]);
    expect(before).toMatchObject({ code: 0, err: "" });
    expect(before.out).toBe(golden);

    CouponStore.open({
      dataDir: dir,
      terminal: "T1",
      store: "S1",
      merchant: { id: "m-test", publicKey: merchant.publicKey },
      clockToleranceMs: 5 * 60_000,
      voidWindowMs: 30 * 60_000,
      managerPinHash: hashPin(MANAGER_PIN),
      log: silentLogger(),
      segmentBytes: 600,
    }).close();
    const after = await quan(["journal", "export", "--data", dir]);
    expect(after).toMatchObject({ code: 0, err: "" });
    expect(after.out).toBe(golden);
  });
});
