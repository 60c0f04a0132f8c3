import { afterEach, describe, expect, it } from "vitest";
import { ShopRig, settle, waitFor } from "../../helpers/link-rig.js";

let rig: ShopRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

const ids = (records: { id: string }[]) => records.map((r) => r.id).sort();

describe("the merchant link, terminal to merchant service over the embedded broker", () => {
  it("reports each redemption; the merchant holds it once, acknowledges it, and the unsent count returns to zero", async () => {
    rig = new ShopRig();
    await rig.startBroker();
    await rig.startMerchant();
    const t = await rig.startTerminal("T1");
    await waitFor("the link to come up", () => t.health()?.network === "online");
    await t.sale("88000001");
    await t.sale("66000001");
    expect(t.journal()).toHaveLength(2);
    await waitFor("the merchant to hold both", () => rig?.merchantIds().length === 2);
    expect(rig.merchantIds()).toEqual(ids(t.journal()));
    await waitFor("unsent to return to zero", () => t.health()?.unsent === 0);
  });

  it("trades while the broker is down and delivers everything, once, when it comes up", async () => {
    rig = new ShopRig();
    const t = await rig.startTerminal("T1");
    await t.sale("88000001");
    await t.sale("88000002");
    await t.sale("66000001");
    expect(t.journal()).toHaveLength(3);
    await settle(200);
    expect(t.health()?.network).toBe("offline");
    expect(t.health()?.unsent).toBe(3);
    await rig.startBroker();
    await rig.startMerchant();
    await waitFor("delivery", () => t.health()?.unsent === 0, 30_000);
    expect(rig.merchantIds()).toEqual(ids(t.journal()));
  }, 40_000);
});
