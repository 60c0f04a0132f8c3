import { readFileSync } from "node:fs";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { quan } from "../../helpers/cli-harness.js";
import { describeOnBrokers, ShopRig, settle, waitFor } from "../../helpers/link-rig.js";

let rig: ShopRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

const ids = (records: { id: string }[]) => records.map((r) => r.id).sort();

describeOnBrokers("the merchant link", (broker) => {
  describe("terminal to merchant service", () => {
    it("reports each redemption; the merchant holds it once, acknowledges it, and the unsent count returns to zero", async () => {
      rig = new ShopRig(broker);
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
      rig = new ShopRig(broker);
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

  describe("store broadcast: a code used at one till is refused at the next", () => {
    it("refuses it as used, naming the till and the time, within a second while the network is up", async () => {
      rig = new ShopRig(broker);
      await rig.startBroker();
      await rig.startMerchant();
      const t1 = await rig.startTerminal("T1");
      const t2 = await rig.startTerminal("T2");
      await waitFor(
        "both links up",
        () => t1.health()?.network === "online" && t2.health()?.network === "online",
      );
      await t1.sale("66000001");
      const started = Date.now();
      await waitFor("T2 to hear of it", () => {
        const v = t2.terminal.ledger.check({ amount: 5000, coupons: [{ code: "66000001" }] }, Date.now());
        return (
          v.lines[0]?.ok === false && v.lines[0].reason === "used" && v.lines[0].lastUse?.terminal === "T1"
        );
      });
      expect(Date.now() - started).toBeLessThan(1000);
      t2.input.keys("50", "Enter");
      t2.input.scan("66000001");
      await settle(80);
      const screen = await t2.screen();
      expect(screen).toMatch(/used/i);
      expect(screen).toContain("T1");
      expect(t2.journal()).toHaveLength(0);
    });
  });

  describe("conflicts: two tills cut off from each other redeem the same single-use code", () => {
    it("the merchant keeps both, flags the conflict, and both tills show it", async () => {
      rig = new ShopRig(broker);
      const t1 = await rig.startTerminal("T1");
      const t2 = await rig.startTerminal("T2");
      await t1.sale("66000001");
      await t2.sale("66000001");
      expect(t1.journal()).toHaveLength(1);
      expect(t2.journal()).toHaveLength(1);
      await rig.startBroker();
      await rig.startMerchant();
      await waitFor("both delivered", () => t1.health()?.unsent === 0 && t2.health()?.unsent === 0, 30_000);
      expect(rig.merchantIds()).toEqual(ids([...t1.journal(), ...t2.journal()]));
      const conflicts = rig.merchant?.books.record.conflicts() ?? [];
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({ code: "66000001", state: "open", uses: 1 });
      expect(conflicts[0]?.redemptions.map((r) => r.terminal).sort()).toEqual(["T1", "T2"]);
      await waitFor(
        "both tills to show it",
        () => t1.health()?.conflicts === 1 && t2.health()?.conflicts === 1,
      );
      expect(await t1.screen()).toContain("Conflicts");
      // The terminal's export marks its redemption; the merchant's export marks both.
      const mine = await quan(["journal", "export", "--data", t1.dataDir, "--no-bom"]);
      expect(mine.out.trim().split("\r\n")[1]).toMatch(new RegExp(`,open ${conflicts[0]?.id}$`));
      const merchantCsv = await quan([
        "merchant",
        "export",
        "--config",
        rig.merchantConfigFile(),
        "--no-bom",
      ]);
      const rows = merchantCsv.out.trim().split("\r\n").slice(1);
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(row).toMatch(new RegExp(`,open ${conflicts[0]?.id}$`));
    }, 40_000);
  });
  describe("birth and death", () => {
    it("a late stale will (offline with an older bdSeq) is answered with the terminal's birth again", async () => {
      rig = new ShopRig(broker);
      await rig.startBroker();
      await rig.startMerchant();
      const t = await rig.startTerminal("T1");
      await waitFor("link up", () => t.health()?.network === "online");
      // The test speaks as the merchant's user; on Mosquitto (use_username_as_clientid) that user has
      // one connection at a time, so the service steps aside.
      await rig.stopMerchant();
      const { tls, passwordFile } = rig.credentials("merchant-demo-merchant");
      const options = {
        reconnectPeriod: 0,
        ...(passwordFile
          ? {
              username: "merchant-demo-merchant",
              password: readFileSync(passwordFile, "utf8").trim(),
              ca: readFileSync(tls?.ca as string),
            }
          : {}),
      };
      const topic = "quan/v1/demo-merchant/S001/T1/status";
      const stale = await mqtt.connectAsync(rig.url, options);
      const staleWill = {
        format: "quan.status/1",
        terminal: "T1",
        state: "offline",
        bdSeq: 0,
        since: new Date().toISOString(),
      };
      await stale.publishAsync(topic, JSON.stringify(staleWill), { qos: 1, retain: true });
      await stale.endAsync();
      // The retained status, read afresh until the terminal's answer stands (or 10 s pass).
      const retained = async () => {
        const reader = await mqtt.connectAsync(rig?.url as string, options);
        const message = new Promise<{ state: string; bdSeq: number }>((resolve) =>
          reader.on("message", (_t, payload) => resolve(JSON.parse(payload.toString()))),
        );
        await reader.subscribeAsync(topic, { qos: 1 });
        const status = await message;
        await reader.endAsync();
        return status;
      };
      let status = await retained();
      for (let i = 0; i < 50 && status.state !== "online"; i++) {
        await settle(200);
        status = await retained();
      }
      expect(status).toMatchObject({ state: "online", bdSeq: 1 });
    });
  });
});
