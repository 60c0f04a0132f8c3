import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { journalRecords } from "../helpers/journal-files.js";
import { listCacheSnapshot, listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const HOUR = 3_600_000;
let ws: Workspace;

const campaigns = [
  { id: "plain", name: "Plain", kind: "amount" as const, amountOff: 1000 },
  // Time-limited: ends two hours after NOW.
  { id: "soon", name: "Soon", kind: "amount" as const, amountOff: 500, validUntil: "2026-03-04T06:00:00Z" },
];
const codes = [
  { code: "PLAIN1", campaign: "plain", uses: 99 },
  { code: "SOON1", campaign: "soon", uses: 99 },
];

const signedList = (version: number, issuedAt: number) =>
  signList(
    ws,
    listDocument(campaigns, codes, { version, issuedAt: new Date(issuedAt).toISOString() }),
    `-v${version}`,
  );

const run = (args: string[], now: number, synchronized: boolean) =>
  quan([...args, "--config", ws.config], {}, now, { synchronized });
const state = () => JSON.parse(readFileSync(join(ws.data, "state.json"), "utf8"));
const journal = () => journalRecords(ws.data);
const reason = async (code: string, now: number, synchronized: boolean) => {
  const r = await run(["coupons", "check", "--code", code, "--amount", "50", "--json"], now, synchronized);
  return JSON.parse(r.out).lines[0].reason ?? "ok";
};

beforeEach(async () => {
  ws = await workspace();
  expect((await run(["coupons", "import", await signedList(1, NOW - HOUR)], NOW, true)).code).toBe(0);
});

describe("an NTP-synchronised clock is the authority", () => {
  it("a list dated 23 h ahead is installed but its date is not trusted: the terminal keeps the clock's time", async () => {
    const imported = await run(["coupons", "import", await signedList(2, NOW + 23 * HOUR)], NOW, true);
    expect(imported.code).toBe(0);
    expect(imported.err).toMatch(/the server's clock is 23 h (0 min )?ahead/);
    expect(state().trustedTime).toBeLessThanOrEqual(NOW);
    // Time-limited coupons are judged at the clock, not 23 h ahead.
    expect(await reason("SOON1", NOW, true)).toBe("ok");
    const redeemed = await run(["redeem", "--code", "PLAIN1", "--amount", "50", "--json"], NOW, true);
    expect(redeemed.code).toBe(0);
    expect(journal().at(-1)?.at).toBe(new Date(NOW).toISOString());
    // 40 minutes later the 30-minute void window has closed.
    const id = JSON.parse(redeemed.out).redemption as string;
    expect(await run(["void", id, "--pin", "2468"], NOW + 40 * 60_000, true)).toMatchObject({
      code: 3,
      err: expect.stringMatching(/window_passed/),
    });
    const doctor = await run(["doctor"], NOW + 60_000, true);
    expect(doctor.out).toMatch(/WARN +coupon list: .*the server's clock is 23 h ahead/);
  });

  it("a list dated more than clock.maxAheadHours ahead is refused, and says the server's clock is wrong", async () => {
    const before = listCacheSnapshot(ws.data);
    const r = await run(["coupons", "import", await signedList(2, NOW + 25 * HOUR)], NOW, true);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/NTP-synchronised clock/);
    expect(r.err).toMatch(/server's clock/);
    expect(listCacheSnapshot(ws.data)).toBe(before);
  });

  it("the PIN lockout lasts the configured 5 minutes and says so in the store's time zone only", async () => {
    await run(["coupons", "import", await signedList(2, NOW + 23 * HOUR)], NOW, true);
    const redeemed = await run(["redeem", "--code", "PLAIN1", "--amount", "50", "--json"], NOW, true);
    const id = JSON.parse(redeemed.out).redemption as string;
    for (let i = 0; i < 3; i++) await run(["void", id, "--pin", "0000"], NOW, true);
    const locked = await run(["void", id, "--pin", "2468"], NOW + 60_000, true);
    expect(locked.code).toBe(3);
    expect(locked.err).toMatch(/locked for 4 min/);
    // Asia/Shanghai: NOW + 5 min is 12:05 there; no UTC instant beside it.
    expect(locked.err).toMatch(/12:05/);
    expect(locked.err).not.toMatch(/Z\b|T04:05/);
    expect((await run(["void", id, "--pin", "2468"], NOW + 6 * 60_000, true)).code).toBe(0);
  });
});

describe("a clock that is not NTP synchronised", () => {
  it("lets a list raise the trusted time, but two lists cannot chain past the bound", async () => {
    expect((await run(["coupons", "import", await signedList(2, NOW + 23 * HOUR)], NOW, false)).code).toBe(0);
    expect(state().trustedTime).toBe(NOW + 23 * HOUR);
    // Measured from the clock (and what NTP or a time statement vouched for), not from the last list.
    const chained = await run(["coupons", "import", await signedList(3, NOW + 46 * HOUR)], NOW, false);
    expect(chained.code).toBe(3);
    expect(chained.err).toMatch(/not NTP synchronised/);
    expect(chained.err).toMatch(/quan time import/);
    expect(state().trustedTime).toBe(NOW + 23 * HOUR);
  });

  it("the lockout message says the real minutes left when the terminal's time is ahead of the clock", async () => {
    await run(["coupons", "import", await signedList(2, NOW + 2 * HOUR)], NOW, false);
    const redeemed = await run(["redeem", "--code", "PLAIN1", "--amount", "50", "--json"], NOW, false);
    const id = JSON.parse(redeemed.out).redemption as string;
    for (let i = 0; i < 3; i++) await run(["void", id, "--pin", "0000"], NOW, false);
    const locked = await run(["void", id, "--pin", "2468"], NOW, false);
    // Locked until the terminal's time (2 h ahead) plus 5 min: 125 real minutes from now.
    expect(locked.err).toMatch(/locked for 125 min/);
  });

  it("doctor says the list's date is taken as the time, and how to fix the clock", async () => {
    await run(["coupons", "import", await signedList(2, NOW + 3 * HOUR)], NOW, false);
    const doctor = await run(["doctor"], NOW, false);
    expect(doctor.out).toMatch(
      /WARN +coupon list: .*3 h ahead of this terminal's clock, which is not NTP synchronised/,
    );
    expect(doctor.out).toMatch(/NTP|quan time import/);
  });
});
