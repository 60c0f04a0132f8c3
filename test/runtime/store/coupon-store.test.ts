import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CouponListError } from "../../../src/protocol/coupon-list/index.js";
import { generateMerchantKeys, signDocument } from "../../../src/protocol/envelope/index.js";
import { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import { ManagerPinError, VoidError } from "../../../src/runtime/store/ledger-port.js";
import { at } from "../../helpers/coupon-fixtures.js";
import { journalText } from "../../helpers/journal-files.js";
import {
  listCacheSnapshot,
  listDocument,
  MANAGER_PIN,
  makeStore,
  type StoreFixture,
} from "../../helpers/store-fixture.js";

const NOW = at("2026-03-04T04:00:00Z");
const campaigns = [
  { id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000, stackable: true },
  { id: "pct", name: "Pct", kind: "percent" as const, percentOff: 20, maxUses: 2 },
];
const codes = [
  { code: "CASH-0001", campaign: "cash" },
  { code: "CASH-0002", campaign: "cash", uses: 2 },
  { code: "PCT-0001", campaign: "pct" },
  { code: "PCT-0002", campaign: "pct" },
  { code: "PCT-0003", campaign: "pct" },
];

let fx: StoreFixture;
afterEach(() => fx?.cleanup());

const basket = (code: string, amount = 5000) => ({ amount, coupons: [{ code }] });
const cacheBytes = (f: StoreFixture) => listCacheSnapshot(f.dir);

describe("redemptions", () => {
  it("a code is used once; the use survives a restart", () => {
    fx = makeStore(campaigns, codes);
    const first = fx.store.redeem(basket("CASH-0001"), NOW, "alice");
    expect(first).toMatchObject({
      committed: true,
      entry: { payable: 4000, discount: 1000, cashier: "alice", terminal: "T1" },
    });
    expect(fx.store.redeem(basket("CASH-0001"), NOW + 1000, "alice")).toMatchObject({
      committed: false,
      verdict: { lines: [{ reason: "used" }] },
    });
    fx.reopen();
    expect(fx.store.check(basket("CASH-0001"), NOW + 2000).lines[0]).toMatchObject({
      ok: false,
      reason: "used",
      lastUse: { terminal: "T1", store: "S1" },
    });
  });

  it("the campaign limit counts redemptions of different codes, across restarts", () => {
    fx = makeStore(campaigns, codes);
    expect(fx.store.redeem(basket("PCT-0001"), NOW, "a").committed).toBe(true);
    fx.reopen();
    expect(fx.store.redeem(basket("PCT-0002"), NOW, "a").committed).toBe(true);
    expect(fx.store.redeem(basket("PCT-0003"), NOW, "a")).toMatchObject({
      committed: false,
      verdict: { lines: [{ reason: "limit_reached" }] },
    });
  });

  it("redemption ids are unique and every record is in the journal", () => {
    fx = makeStore(campaigns, codes);
    const ids = [
      fx.store.redeem(basket("CASH-0002"), NOW, "a"),
      fx.store.redeem(basket("CASH-0002"), NOW, "a"),
      fx.store.redeem(basket("CASH-0001"), NOW, "a"),
    ].map((r) => (r.committed ? r.entry.id : "refused"));
    expect(new Set(ids).size).toBe(3);
    const journal = journalText(fx.dir);
    for (const id of ids) expect(journal).toContain(id);
  });

  it("a dry run changes nothing", () => {
    fx = makeStore(campaigns, codes);
    for (let i = 0; i < 3; i++) expect(fx.store.check(basket("CASH-0001"), NOW).committable).toBe(true);
    expect(journalText(fx.dir)).toBe("");
  });
});

describe("voids", () => {
  it("restore the use exactly once, also after a restart", () => {
    fx = makeStore(campaigns, codes);
    const r = fx.store.redeem(basket("CASH-0001"), NOW, "a");
    if (!r.committed) throw new Error("expected commit");
    fx.store.voidRedemption(r.entry.id, NOW + 60_000, "manager", MANAGER_PIN);
    expect(() => fx.store.voidRedemption(r.entry.id, NOW + 61_000, "manager", MANAGER_PIN)).toThrow(
      expect.objectContaining({ reason: "already_voided" }),
    );
    fx.reopen();
    expect(fx.store.redemption(r.entry.id)).toMatchObject({ voided: true });
    expect(fx.store.redeem(basket("CASH-0001"), NOW + 120_000, "a").committed).toBe(true);
    expect(fx.store.redeem(basket("CASH-0001"), NOW + 130_000, "a").committed).toBe(false);
  });

  it("need the manager PIN and the void window", () => {
    fx = makeStore(campaigns, codes);
    const r = fx.store.redeem(basket("CASH-0002"), NOW, "a");
    if (!r.committed) throw new Error("expected commit");
    const attempt = (pin: string, when: number) => {
      try {
        fx.store.voidRedemption(r.entry.id, when, "m", pin);
        return "voided";
      } catch (err) {
        if (err instanceof VoidError || err instanceof ManagerPinError) return err.reason;
        throw err;
      }
    };
    expect(attempt("0000", NOW + 1000)).toBe("bad_pin");
    expect(attempt(MANAGER_PIN, NOW + 31 * 60_000)).toBe("window_passed");
    expect(fx.store.redemption(r.entry.id)).toMatchObject({ voided: false });
    expect(attempt(MANAGER_PIN, NOW + 29 * 60_000)).toBe("voided");
    expect(() => fx.store.voidRedemption("NOPE", NOW, "m", MANAGER_PIN)).toThrow(
      expect.objectContaining({ reason: "not_found" }),
    );
  });
});

describe("coupon lists: forged, tampered, stale and replayed lists change nothing", () => {
  const refusal = (f: StoreFixture, text: string) => {
    const before = cacheBytes(f);
    try {
      f.store.importList(text, NOW);
    } catch (err) {
      expect(cacheBytes(f)).toBe(before);
      expect(f.store.check(basket("CASH-0001"), NOW).lines[0]).toMatchObject({ ok: true });
      if (err instanceof CouponListError) return err.problem;
      throw err;
    }
    return "accepted";
  };

  it("a newer version replaces the list and keeps the journal's counts", () => {
    fx = makeStore(campaigns, codes);
    fx.store.redeem(basket("CASH-0002"), NOW, "a");
    const v2 = fx.signList(campaigns, [...codes, { code: "NEW-0001", campaign: "cash" }], { version: 2 });
    expect(fx.store.importList(v2, NOW)).toMatchObject({ status: "imported", version: 2, codes: 6 });
    expect(fx.store.check(basket("NEW-0001"), NOW).committable).toBe(true);
    fx.store.redeem(basket("CASH-0002"), NOW, "a");
    expect(fx.store.check(basket("CASH-0002"), NOW).lines[0]).toMatchObject({ reason: "used" });
    fx.reopen();
    expect(fx.store.status(NOW)).toMatchObject({ listVersion: 2, codes: 6 });
  });

  it("refuses each bad list with its reason", () => {
    fx = makeStore(campaigns, codes);
    const good = fx.signList(campaigns, codes, { version: 5 });
    const envelope = JSON.parse(good);

    const tampered = JSON.stringify({
      ...envelope,
      document: envelope.document.replace('"amountOff":1000', '"amountOff":9000'),
    });
    expect(refusal(fx, tampered)).toBe("bad_signature");

    const otherKey = generateMerchantKeys();
    const forged = JSON.stringify(
      signDocument(JSON.stringify(listDocument(campaigns, codes, { version: 9 })), otherKey.privateKeyPem),
    );
    expect(refusal(fx, forged)).toBe("bad_signature");

    expect(refusal(fx, JSON.stringify(listDocument(campaigns, codes, { version: 9 })))).toBe("unsigned");
    expect(refusal(fx, "{not json")).toBe("malformed_envelope");
    expect(refusal(fx, fx.signList(campaigns, codes, { version: 9, merchant: "m-other" }))).toBe(
      "wrong_merchant",
    );
    expect(
      refusal(fx, fx.signList(campaigns, [{ code: "X-0001", campaign: "missing" }], { version: 9 })),
    ).toBe("invalid_document");

    expect(refusal(fx, good)).toBe("accepted");
    // The same list again (an MQTT re-delivery) is harmless; an older or equal different one is refused.
    expect(fx.store.importList(good, NOW)).toMatchObject({ status: "unchanged", version: 5 });
    expect(refusal(fx, fx.signList(campaigns, codes, { version: 4 }))).toBe("stale_version");
    expect(refusal(fx, fx.signList(campaigns, codes.slice(1), { version: 5 }))).toBe("stale_version");
  });

  it("an invalid document names the path of the bad field", () => {
    fx = makeStore(campaigns, codes);
    try {
      fx.store.importList(
        fx.signList([{ ...campaigns[0], percentOff: 20, kind: "percent" } as never], codes, { version: 3 }),
        NOW,
      );
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/codes\[2\]\.campaign: no campaign "pct"/);
    }
  });

  it("a signed document nested past the limit is refused and changes nothing", () => {
    fx = makeStore(campaigns, codes);
    const before = cacheBytes(fx);
    const document = JSON.stringify(listDocument(campaigns, codes, { version: 2 })).replace(
      '"codes":[',
      `"junk":${"[".repeat(100_000)}${"]".repeat(100_000)},"codes":[`,
    );
    const text = JSON.stringify(signDocument(document, fx.keys.privateKeyPem));
    expect(() => fx.store.importList(text, NOW)).toThrow(/nested deeper than 32 levels/);
    expect(cacheBytes(fx)).toBe(before);
  });

  it("a list table edited on disk is refused at start", () => {
    fx = makeStore(campaigns, codes);
    fx.store.close();
    const file = join(fx.dir, "list", "codes.table");
    writeFileSync(
      file,
      readFileSync(file, "latin1").replace('"amountOff":1000', '"amountOff":9000'),
      "latin1",
    );
    expect(() => fx.reopen()).toThrow(/codes\.table is damaged: its content hash does not match/);
    fx.store = { close() {} } as never;
  });

  it("an edit that also fixes the table's hash is caught by re-verification against the merchant key", () => {
    fx = makeStore(campaigns, codes);
    fx.store.close();
    const file = join(fx.dir, "list", "codes.table");
    const edited = Buffer.from(
      readFileSync(file, "latin1").replace('"amountOff":1000', '"amountOff":9000'),
      "latin1",
    );
    createHash("sha256").update(edited.subarray(64)).digest().copy(edited, 32);
    writeFileSync(file, edited);
    fx.store = CouponStore.open(fx.options);
    expect(CouponStore.verifyList(fx.dir, fx.options.merchant, fx.options.log)).toEqual([
      "the table's list (campaigns, revocations) differs from its signed documents",
    ]);
  });
});

describe("the clock", () => {
  it("trusted time comes from the signed list, not from redemptions, and survives restarts", () => {
    fx = makeStore(
      [{ id: "t", name: "Timed", kind: "amount", amountOff: 100, validUntil: "2027-01-01T00:00:00Z" }],
      [{ code: "TIME-0001", campaign: "t", uses: 5 }],
      { extra: { issuedAt: "2026-03-04T04:00:00Z" }, now: NOW },
    );
    // An offline reboot put the clock back a day: time-limited coupons are refused.
    expect(fx.store.check(basket("TIME-0001"), NOW - 86_400_000).lines[0]).toMatchObject({
      reason: "clock_unverified",
    });
    // A clock ahead once is only the clock's word: the redemption is not trusted time.
    expect(fx.store.redeem(basket("TIME-0001"), NOW + 3_600_000, "a").committed).toBe(true);
    fx.reopen();
    expect(fx.store.trustedTime()).toBe(NOW);
    expect(fx.store.status(NOW).clockTrusted).toBe(true);
    expect(fx.store.check(basket("TIME-0001"), NOW - 86_400_000).lines[0]).toMatchObject({
      reason: "clock_unverified",
    });
    expect(fx.store.check(basket("TIME-0001"), NOW).committable).toBe(true);
    const state = JSON.parse(readFileSync(join(fx.dir, "state.json"), "utf8"));
    expect(state).toMatchObject({ trustedTime: NOW, trustedSource: "list" });
  });

  it("a list dated beyond clock.maxAheadHours is refused and changes nothing on disk", () => {
    fx = makeStore(
      [{ id: "t", name: "Timed", kind: "amount", amountOff: 100, validUntil: "2027-01-01T00:00:00Z" }],
      [{ code: "TIME-0001", campaign: "t", uses: 5 }],
      { extra: { issuedAt: "2026-03-04T04:00:00Z" }, now: NOW, options: { maxAheadMs: 2 * 3_600_000 } },
    );
    const cache = cacheBytes(fx);
    const state = readFileSync(join(fx.dir, "state.json"));
    const ahead = fx.signList([], [], { version: 2, issuedAt: "2026-03-04T06:00:01Z" });
    expect(() => fx.store.importList(ahead, NOW)).toThrow(
      /issued 2026-03-04T06:00:01Z, 2 h 0 min ahead of this terminal.s time/,
    );
    expect(cacheBytes(fx)).toEqual(cache);
    expect(readFileSync(join(fx.dir, "state.json"))).toEqual(state);
    expect(
      fx.store.importList(fx.signList([], [], { version: 2, issuedAt: "2026-03-04T06:00:00Z" }), NOW),
    ).toMatchObject({
      status: "imported",
    });
  });
});

describe("read-only opening (a technician's dry run while the terminal runs)", () => {
  it("sees the journal without taking the lock, and refuses to write", async () => {
    fx = makeStore(campaigns, codes);
    fx.store.redeem(basket("CASH-0001"), NOW, "a");
    const { CouponStore } = await import("../../../src/runtime/store/coupon-store.js");
    const reader = CouponStore.openReadOnly(fx.options);
    expect(reader.check(basket("CASH-0001"), NOW).lines[0]).toMatchObject({ reason: "used" });
    expect(reader.check(basket("PCT-0001"), NOW).committable).toBe(true);
    expect(() => reader.redeem(basket("PCT-0001"), NOW, "a")).toThrow(/read-only/);
    expect(reader.canCommit()).toBe(false);
    expect(fx.store.canCommit()).toBe(true);
    expect(() => reader.importList(fx.signList(campaigns, codes, { version: 7 }), NOW)).toThrow(/read-only/);
    reader.close();
    // The writer still holds its lock and goes on.
    expect(fx.store.redeem(basket("PCT-0001"), NOW, "a").committed).toBe(true);
    expect(journalText(fx.dir).trim().split("\n")).toHaveLength(2);
  });
});
