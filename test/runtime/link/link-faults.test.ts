import { afterEach, expect, it } from "vitest";
import { type ChildTerminal, describeOnBrokers, ShopRig, settle, waitFor } from "../../helpers/link-rig.js";
import { TcpProxy } from "../../helpers/tcp-proxy.js";

/*
 * Nothing lost, nothing twice, through the faults a shop's network and power give: each test ends
 * with the merchant's record (read from its SQLite file) equal to the union of the terminals'
 * journals, every redemption exactly once.
 */

let rig: ShopRig | null = null;
let proxy: TcpProxy | null = null;
afterEach(async () => {
  await proxy?.cut();
  proxy = null;
  await rig?.close();
  rig = null;
});

/** Asks a terminal process for its unsent count until it is 0 (or 10 s pass); returns the last. */
async function unsentSettles(t: ChildTerminal): Promise<number | null> {
  let status = await t.status();
  for (let i = 0; i < 100 && status.unsent !== 0; i++) {
    await settle(100);
    status = await t.status();
  }
  return status.unsent;
}

const ids = (records: { id: string }[]) => records.map((r) => r.id).sort();

describeOnBrokers("faults on the merchant link", (broker) => {
  it("the broker stopped and restarted mid-stream", async () => {
    rig = new ShopRig(broker);
    const codes = rig.manyCodes(60);
    await rig.startBroker();
    await rig.startMerchant();
    const t = await rig.startTerminal("T1");
    await waitFor("link up", () => t.health()?.network === "online");
    for (const [i, code] of codes.entries()) {
      if (i === 20) await rig.stopBroker();
      if (i === 40) await rig.startBroker();
      const r = t.terminal.ledger.redeem({ amount: 5000, coupons: [{ code }] }, Date.now(), "c");
      expect(r.committed).toBe(true);
      await settle(5);
    }
    await waitFor("delivery", () => t.health()?.unsent === 0, 30_000);
    expect(rig.merchantIds()).toEqual(ids(t.journal()));
    expect(t.journal()).toHaveLength(60);
  }, 60_000);

  it("the link cut (a TCP proxy drops everything) and restored a while later", async () => {
    rig = new ShopRig(broker);
    const codes = rig.manyCodes(30);
    await rig.startBroker();
    await rig.startMerchant();
    proxy = new TcpProxy(rig.port);
    await proxy.start();
    const t = await rig.startTerminal("T1", "S001", rig.url.replace(`:${rig.port}`, `:${proxy.port}`));
    await waitFor("link up", () => t.health()?.network === "online");
    await proxy.cut();
    for (const code of codes)
      t.terminal.ledger.redeem({ amount: 5000, coupons: [{ code }] }, Date.now(), "c");
    await waitFor("the cut seen", () => t.health()?.network === "offline");
    expect(t.health()?.unsent).toBe(30);
    await settle(1500);
    await proxy.restore();
    await waitFor("delivery", () => t.health()?.unsent === 0, 40_000);
    expect(rig.merchantIds()).toEqual(ids(t.journal()));
  }, 60_000);

  it("the terminal SIGKILLed between commit and publish, then started again", async () => {
    rig = new ShopRig(broker);
    const codes = rig.manyCodes(40);
    await rig.startBroker();
    await rig.startMerchant();
    const t = await rig.spawnTerminal("T1");
    await waitFor("link up", () => rig?.merchant?.connected === true);
    // Commands are written at once: the kill lands while records are committed and not yet sent.
    for (const code of codes) t.send(`redeem ${code}`);
    await t.line(/^committed /);
    await t.kill();
    const committed = t.journal();
    expect(committed.length).toBeGreaterThan(0);
    const again = await rig.spawnTerminal("T1");
    await waitFor(
      "delivery after the restart",
      () => (rig?.merchantIds().length ?? 0) >= committed.length,
      30_000,
    );
    expect(await unsentSettles(again)).toBe(0);
    expect(rig.merchantIds()).toEqual(ids(committed));
  }, 60_000);

  it("the terminal SIGKILLed between publish and ack (no merchant to ack), then both started again", async () => {
    rig = new ShopRig(broker);
    const codes = rig.manyCodes(10);
    await rig.startBroker();
    // The merchant's persistent session exists, so what is published while it is away is queued for it.
    await rig.startMerchant();
    await rig.stopMerchant();
    const t = await rig.spawnTerminal("T1");
    for (const code of codes) expect(await t.redeem(code)).toMatch(/^committed /);
    await waitFor("published, unacked", () => false, 1500).catch(() => undefined);
    expect((await t.status()).unsent).toBe(10);
    await t.kill();
    await rig.startMerchant();
    const again = await rig.spawnTerminal("T1");
    expect(await unsentSettles(again)).toBe(0);
    expect(rig.merchantIds()).toEqual(ids(t.journal()));
    expect(rig.merchant?.books.record.recordCount()).toBe(10);
  }, 60_000);

  it("the merchant service SIGKILLed while committing and acking, then started again", async () => {
    rig = new ShopRig(broker);
    const codes = rig.manyCodes(400);
    const t = await rig.startTerminal("T1");
    for (const code of codes)
      t.terminal.ledger.redeem({ amount: 5000, coupons: [{ code }] }, Date.now(), "c");
    await rig.startBroker();
    const first = rig.spawnMerchant();
    await waitFor("the merchant to commit some", () => (t.health()?.unsent ?? 400) < 400, 30_000);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const heldAtKill = (await rig.merchantRecordIds()).length;
    expect(heldAtKill).toBeLessThan(400);
    rig.spawnMerchant();
    await waitFor("delivery", () => t.health()?.unsent === 0, 40_000);
    expect(await rig.merchantRecordIds()).toEqual(ids(t.journal()));
  }, 60_000);

  it("a terminal offline for a whole day's trading, then reconnecting", async () => {
    rig = new ShopRig(broker);
    const codes = rig.manyCodes(1500);
    const t = await rig.startTerminal("T1");
    for (const code of codes)
      t.terminal.ledger.redeem({ amount: 5000, coupons: [{ code }] }, Date.now(), "c");
    expect(t.journal()).toHaveLength(1500);
    await rig.startBroker();
    await rig.startMerchant();
    await waitFor("delivery", () => t.health()?.unsent === 0, 60_000);
    expect(rig.merchantIds()).toEqual(ids(t.journal()));
  }, 90_000);
});
