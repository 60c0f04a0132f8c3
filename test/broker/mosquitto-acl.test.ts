import { readFileSync } from "node:fs";
import mqtt from "mqtt";
import { afterEach, expect, it } from "vitest";
import { ShopRig, settle } from "../helpers/link-rig.js";
import { describeWithTool } from "../helpers/system-tool.js";

/**
 * The ACL generated from the topic table (`quan broker acl`), on a real Mosquitto with TLS and
 * passwords: each terminal is confined to its own topics. On MQTT 3.1.1 a forbidden publish still
 * gets its PUBACK and a forbidden subscription is granted: only what arrives tells.
 */
let rig: ShopRig | null = null;
const clients: mqtt.MqttClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await rig?.close();
  rig = null;
});

describeWithTool(
  "mosquitto",
  "the MQTT broker with TLS and ACLs",
  "the generated ACL on Mosquitto",
  (bin) => {
    async function as(r: ShopRig, user: string, extra: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
      const { tls, passwordFile } = r.credentials(user);
      const c = await mqtt.connectAsync(r.url, {
        reconnectPeriod: 0,
        username: user,
        password: readFileSync(passwordFile as string, "utf8").trim(),
        ca: readFileSync(tls?.ca as string),
        clean: true,
        ...extra,
      });
      clients.push(c);
      return c;
    }

    it("a terminal publishes only on its own topics and reads only its own", async () => {
      rig = new ShopRig({ kind: "mosquitto", bin });
      await rig.startBroker();
      const merchant = await as(rig, "merchant-demo-merchant");
      const got: string[] = [];
      merchant.on("message", (topic) => got.push(topic));
      await merchant.subscribeAsync("quan/v1/demo-merchant/+/+/journal/record", { qos: 1 });
      const t1 = await as(rig, "T1");
      await t1.publishAsync("quan/v1/demo-merchant/S001/T1/journal/record", "own", { qos: 1 });
      await t1.publishAsync("quan/v1/demo-merchant/S001/T2/journal/record", "forged", { qos: 1 });
      const seenByT1: string[] = [];
      t1.on("message", (topic) => seenByT1.push(topic));
      await t1.subscribeAsync("quan/v1/demo-merchant/S001/T2/journal/ack", { qos: 1 });
      await t1.subscribeAsync("quan/v1/demo-merchant/S001/T1/journal/ack", { qos: 1 });
      await merchant.publishAsync("quan/v1/demo-merchant/S001/T2/journal/ack", "for T2", { qos: 1 });
      await merchant.publishAsync("quan/v1/demo-merchant/S001/T1/journal/ack", "for T1", { qos: 1 });
      await settle(300);
      expect(got).toEqual(["quan/v1/demo-merchant/S001/T1/journal/record"]);
      expect(seenByT1).toEqual(["quan/v1/demo-merchant/S001/T1/journal/ack"]);
    });

    it("refuses a wrong password and a connection without TLS; another terminal cannot take over a session", async () => {
      rig = new ShopRig({ kind: "mosquitto", bin });
      await rig.startBroker();
      await expect(as(rig, "T1", { password: "wrong" })).rejects.toThrow();
      await expect(
        mqtt.connectAsync(rig.url.replace("mqtts", "mqtt"), {
          reconnectPeriod: 0,
          connectTimeout: 2000,
          username: "T1",
          password: "pw-T1",
        }),
      ).rejects.toThrow();
      const t1 = await as(rig, "T1", { clientId: "T1" });
      let t1Closed = false;
      t1.on("close", () => {
        t1Closed = true;
      });
      // T2's credentials asking for T1's client id get T2's own (use_username_as_clientid).
      await as(rig, "T2", { clientId: "T1" });
      await settle(300);
      expect(t1Closed).toBe(false);
    });
  },
);
