import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hashPin } from "../../../../src/runtime/config/pin.js";
import { totpStep } from "../../../../src/runtime/coupons/totp.js";
import { tokenKey } from "../../../../src/runtime/ledger/usage.js";
import { silentLogger } from "../../../../src/runtime/log.js";
import { CouponStore, type CouponStoreOptions } from "../../../../src/runtime/store/coupon-store.js";
import { readJournal } from "../../../../src/runtime/store/journal.js";
import { Ledger } from "../../../../src/runtime/store/ledger/ledger.js";
import { journalRecords } from "../../../helpers/journal-files.js";
import { MANAGER_PIN } from "../../../helpers/store-fixture.js";

// A data directory written by the store before segments (test/fixtures/legacy-data-dir.md):
// journal.log, state.json with a counters snapshot of all history.
const FIXTURE = join(import.meta.dirname, "../../../fixtures/legacy-data-dir");
const NOW = Date.parse("2026-03-04T04:00:20Z");
const merchant = JSON.parse(readFileSync(join(FIXTURE, "merchant.json"), "utf8")) as {
  publicKey: string;
  token: string;
  member: string;
};

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function copyFixture(): CouponStoreOptions {
  dir = mkdtempSync(join(tmpdir(), "quan-legacy-"));
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(join(dir, "merchant.json"));
  return {
    dataDir: dir,
    terminal: "T1",
    store: "S1",
    merchant: { id: "m-test", publicKey: merchant.publicKey },
    clockToleranceMs: 5 * 60_000,
    voidWindowMs: 30 * 60_000,
    managerPinHash: hashPin(MANAGER_PIN),
    log: silentLogger(),
  };
}

const basket = (code: string, extra: object = {}) => ({ amount: 5000, coupons: [{ code, ...extra }] });
const reason = (s: CouponStore, code: string, extra: object = {}, member?: string) =>
  s.check({ ...basket(code, extra), ...(member ? { member } : {}) }, NOW).lines[0];

function expectEverythingKept(store: CouponStore): void {
  expect(reason(store, "CASH-0001")).toMatchObject({
    reason: "used",
    lastUse: { terminal: "T1", store: "S1" },
  });
  expect(reason(store, "CASH-0002")).toMatchObject({ ok: true }); // 2 of 3 uses
  expect(reason(store, "CASH-0003")).toMatchObject({ ok: true }); // its redemption was voided
  expect(reason(store, "PCT-0001")).toMatchObject({ reason: "used" });
  expect(reason(store, "MEM-0002", {}, merchant.member)).toMatchObject({ reason: "member_limit" });
  expect(store.status(NOW).redemptions).toBe(9);
  const last = store.lastRedemption();
  expect(last?.entry.lines[0]?.code).toBe("PCT-0003");
  expect(last?.voidEntry).toBeUndefined();
}

describe("a data directory written before segments", () => {
  it("opens, its journal.log becomes segment 1 byte for byte, and nothing is lost", () => {
    const options = copyFixture();
    const legacy = readFileSync(join(dir, "journal.log"));
    const before = readJournal(join(dir, "journal.log")).records;

    const store = CouponStore.open(options);
    expectEverythingKept(store);
    expect(existsSync(join(dir, "journal.log"))).toBe(false);
    expect(readFileSync(join(dir, "journal", "000001.log")).equals(legacy)).toBe(true);
    // The snapshot of all history is gone from state.json; a checkpoint stands in for it.
    expect(JSON.parse(readFileSync(join(dir, "state.json"), "utf8")).snapshot).toBeUndefined();
    expect(readdirSync(join(dir, "ledger")).some((f) => f.startsWith("checkpoint-"))).toBe(true);

    // New records continue the old chain.
    const r = store.redeem(basket("CASH-0003"), NOW, "dave");
    expect(r.committed).toBe(true);
    store.close();
    const after = journalRecords(dir);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after[before.length]).toMatchObject({ seq: 11, prev: before.at(-1)?.hash });

    const reopened = CouponStore.open(options);
    expect(reason(reopened, "CASH-0003")).toMatchObject({ reason: "used" });
    expect(reopened.status(NOW).redemptions).toBe(10);
    reopened.close();
  });

  it("a spent TOTP token stays spent across the migration (the counters validation reads)", () => {
    const options = copyFixture();
    CouponStore.open(options).close();
    const { ledger } = Ledger.open({
      dataDir: dir,
      terminal: "T1",
      voidWindowMs: 1_800_000,
      log: silentLogger(),
    });
    const step = totpStep(Date.parse("2026-03-04T04:00:06Z"));
    expect(ledger.usage.usedTokens.has(tokenKey("DYN-0001", step))).toBe(true);
    expect(ledger.usage.usedTokens.has(tokenKey("DYN-0001", step + 1))).toBe(false);
    ledger.close();
  });

  it("a read-only open reads it as it is and migrates nothing", () => {
    const options = copyFixture();
    const files = readdirSync(dir).sort();
    const reader = CouponStore.openReadOnly(options);
    expectEverythingKept(reader);
    reader.close();
    expect(readdirSync(dir).sort()).toEqual(files);
  });

  it("a crash after the rename, before the checkpoint: the next start rebuilds, nothing lost or doubled", () => {
    const options = copyFixture();
    CouponStore.open(options).close();
    rmSync(join(dir, "ledger"), { recursive: true });
    const store = CouponStore.open(options);
    expectEverythingKept(store);
    store.close();
  });
});
