import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { RedeemEntry, VoidEntry } from "../../../src/protocol/journal/index.js";
import { loadConfigFile } from "../../../src/runtime/config/load.js";
import { silentLogger } from "../../../src/runtime/log.js";
import type { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import { openStoreFromConfig } from "../../../src/runtime/store/store-from-config.js";
import { quan, signList, type Workspace, workspace } from "../../helpers/cli-harness.js";
import { journalRecords } from "../../helpers/journal-files.js";
import { listDocument } from "../../helpers/store-fixture.js";

/*
 * Another till's redemptions, as the merchant forwards them over the store broadcast (the link
 * hands each accepted entry to store.applyPeerEntry): counted here, kept on disk, never this
 * till's sale.
 */
const NOW = Date.parse("2026-03-04T04:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000 }];
const codes = [
  { code: "CASH-0001", campaign: "cash" },
  { code: "CASH-0002", campaign: "cash" },
];

const peerRedemption: RedeemEntry = {
  type: "redeem",
  id: "01JPEER0000000000000000001",
  at: "2026-03-04T03:30:00.000Z",
  terminal: "T02",
  store: "S1",
  cashier: "c2",
  currency: "CNY",
  amount: 5000,
  discount: 1000,
  payable: 4000,
  lines: [{ code: "CASH-0001", campaign: "cash", discount: 1000 }],
  listVersion: 1,
};
const peerVoid: VoidEntry = {
  type: "void",
  id: "01JPEER0000000000000000002",
  target: peerRedemption.id,
  at: "2026-03-04T03:35:00.000Z",
  terminal: "T02",
  cashier: "c2",
};

let ws: Workspace | null = null;
let store: CouponStore | null = null;
afterEach(() => {
  store?.close();
  store = null;
  if (ws) rmSync(ws.dir, { recursive: true, force: true });
  ws = null;
});

async function setUp() {
  ws = await workspace();
  const signed = await signList(ws, listDocument(campaigns, codes));
  expect((await quan(["coupons", "import", signed, "--config", ws.config], {}, NOW)).code).toBe(0);
  const config = loadConfigFile(ws.config);
  const open = () => openStoreFromConfig(config, silentLogger());
  store = open();
  const check = (code: string) => store?.check({ amount: 5000, coupons: [{ code }] }, NOW).lines[0];
  const restart = () => {
    store?.close();
    store = open();
  };
  return { ws, check, restart };
}

describe("another till's redemptions (store broadcast)", () => {
  it("a code redeemed at another till is refused here as used, naming that till and when", async () => {
    const t = await setUp();
    expect(store?.applyPeerEntry(peerRedemption)).toBe("applied");
    expect(t.check("CASH-0001")).toMatchObject({
      ok: false,
      reason: "used",
      lastUse: { terminal: "T02", store: "S1", at: peerRedemption.at },
    });
    expect(t.check("CASH-0002")?.ok).toBe(true);
    // Not this till's sale: its journal (and so its X/Z and export) stays empty.
    expect(journalRecords(t.ws.data)).toEqual([]);
    // The technician's dry run says where and when, while the daemon holds the data dir.
    const dry = await quan(
      ["coupons", "check", "--code", "CASH-0001", "--amount", "50", "--config", t.ws.config],
      {},
      NOW,
    );
    expect(dry.out).toContain("CASH-0001: REFUSED (used at S1/T02 2026-03-04 11:30)");
  });

  it("a void at the other till gives the code back; a duplicate delivery counts once", async () => {
    const t = await setUp();
    expect(store?.applyPeerEntry(peerRedemption)).toBe("applied");
    expect(store?.applyPeerEntry(peerRedemption)).toBe("duplicate");
    expect(store?.applyPeerEntry(peerVoid)).toBe("applied");
    expect(store?.applyPeerEntry(peerVoid)).toBe("duplicate");
    // Counted once, voided once: the single-use code is free again.
    expect(t.check("CASH-0001")?.ok).toBe(true);
    // Redeemed again, at this till: refused at the next scan, naming this till.
    const r = store?.redeem({ amount: 5000, coupons: [{ code: "CASH-0001" }] }, NOW, "c1");
    expect(r?.committed).toBe(true);
    expect(t.check("CASH-0001")).toMatchObject({ reason: "used", lastUse: { terminal: "T01" } });
  });

  it("survives a restart: the other till's redemption is still counted, its void still applied", async () => {
    const t = await setUp();
    store?.applyPeerEntry(peerRedemption);
    store?.applyPeerEntry({
      ...peerRedemption,
      id: "01JPEER0000000000000000003",
      lines: [{ code: "CASH-0002", campaign: "cash", discount: 1000 }],
    });
    store?.applyPeerEntry(peerVoid);
    t.restart();
    expect(t.check("CASH-0001")?.ok).toBe(true);
    expect(t.check("CASH-0002")).toMatchObject({ reason: "used", lastUse: { terminal: "T02" } });
    // A re-delivery after the restart (the merchant re-sends on reconnect) is still a duplicate.
    expect(store?.applyPeerEntry(peerRedemption)).toBe("duplicate");
    expect(store?.applyPeerEntry(peerVoid)).toBe("duplicate");
  });
});
