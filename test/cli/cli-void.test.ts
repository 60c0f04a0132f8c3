import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/runtime/log.js";
import { CouponStore } from "../../src/runtime/store/coupon-store.js";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { journalText } from "../helpers/journal-files.js";
import { listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
let ws: Workspace;

beforeEach(async () => {
  ws = await workspace("2468");
  const signed = await signList(
    ws,
    listDocument(
      [{ id: "cash", name: "Cash", kind: "amount", amountOff: 1000 }],
      [
        { code: "CASH-0001", campaign: "cash" },
        { code: "CASH-0002", campaign: "cash" },
      ],
    ),
  );
  expect((await quan(["coupons", "import", signed, "--config", ws.config], {}, NOW)).code).toBe(0);
});

async function redeem(code: string, at: number): Promise<string> {
  const r = await quan(["redeem", "--code", code, "--amount", "50", "--json", "--config", ws.config], {}, at);
  expect(r.code).toBe(0);
  return JSON.parse(r.out).redemption as string;
}

const voidWith = (id: string, pin: string, at: number) =>
  quan(["void", id, "--pin", pin, "--config", ws.config], {}, at);

describe("quan void and the manager PIN lockout", () => {
  it("after wrong PINs the right one is refused until the lockout ends (exit 3, says when)", async () => {
    const id = await redeem("CASH-0001", NOW);
    for (let i = 0; i < 30; i++) {
      const wrong = await voidWith(id, "1111", NOW + 1000);
      expect(wrong.code).toBe(3);
    }
    const right = await voidWith(id, "2468", NOW + 2000);
    expect(right.code).toBe(3);
    expect(right.err).toMatch(/locked/i);
    expect(right.err).toMatch(/until 2026-03-04 12:05/);
    // Another door (the daemon's store) sees the same lockout.
    const store = CouponStore.openReadOnly({
      dataDir: ws.data,
      terminal: "T01",
      store: "S1",
      merchant: { id: "m-test", publicKey: ws.publicKey },
      clockToleranceMs: 300_000,
      voidWindowMs: 30 * 60_000,
      log: silentLogger(),
    });
    expect(store.pinLock(NOW + 2000).lockedUntil).toBe(NOW + 1000 + 5 * 60_000);
    // It ends with time.
    expect(await voidWith(id, "2468", NOW + 1000 + 5 * 60_000)).toMatchObject({ code: 0 });
  });

  it("counts wrong PINs across runs, and the right PIN starts the count again", async () => {
    const id = await redeem("CASH-0001", NOW);
    expect(await voidWith(id, "1111", NOW + 1000)).toMatchObject({
      code: 3,
      err: expect.stringMatching(/2 attempts left/),
    });
    expect(await voidWith(id, "1111", NOW + 1000)).toMatchObject({
      code: 3,
      err: expect.stringMatching(/1 attempts? left/),
    });
    expect(await voidWith(id, "2468", NOW + 1000)).toMatchObject({ code: 0 });
    const other = await redeem("CASH-0002", NOW + 2000);
    expect(await voidWith(other, "1111", NOW + 3000)).toMatchObject({
      code: 3,
      err: expect.stringMatching(/2 attempts left/),
    });
  });
});

describe("the manager PIN hash in the config", () => {
  it("a degenerate hash fails config check (exit 2) and voids nothing", async () => {
    const config = JSON.parse(readFileSync(ws.config, "utf8"));
    config.void.managerPin = "scrypt$AAAA$=";
    const bad = join(ws.dir, "bad-pin.json");
    writeFileSync(bad, JSON.stringify(config));
    const check = await quan(["config", "check", bad]);
    expect(check.code).toBe(2);
    expect(check.err).toContain(`${bad}: void.managerPin: PIN hash salt is 3 bytes`);
    expect(check.err).toContain("quan pin hash");
    const id = await redeem("CASH-0001", NOW);
    const voided = await quan(["void", id, "--pin", "0000", "--config", bad], {}, NOW + 1000);
    expect(voided.code).toBe(2);
    expect(journalText(ws.data).trim().split("\n")).toHaveLength(1);
  });

  it("the example config tells the technician to set the PIN", async () => {
    const check = await quan(["config", "check", "config/example.json"]);
    expect(check.code).toBe(2);
    expect(check.err).toMatch(/void\.managerPin: .*quan pin hash PIN/);
  });
});
