import { readFileSync } from "node:fs";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { preparePublication, rememberList } from "../../../src/merchant/list-publishing.js";
import { generateMerchantKeys } from "../../../src/protocol/envelope/index.js";
import { buildMessage, type Health, readMessage } from "../../../src/protocol/mqtt/index.js";
import { demoCodes, demoList } from "../../../src/runtime/demo/demo-list.js";
import { type RigTerminal, ShopRig, settle, waitFor } from "../../helpers/link-rig.js";

let rig: ShopRig | null = null;
const clients: mqtt.MqttClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await rig?.close();
  rig = null;
});

const MERCHANT = "demo-merchant";

function listWith(version: number, extra: string[]) {
  return demoList(Date.now(), version, {
    codes: [...demoCodes(), ...extra.map((code) => ({ code, campaign: "cash10" }))],
  });
}

async function publish(r: ShopRig, input: unknown, delta = false) {
  const merchant = r.merchant;
  if (!merchant) throw new Error("no merchant");
  const prepared = preparePublication(merchant.books.record, input, {
    merchant: MERCHANT,
    store: null,
    delta,
    privateKeyPem: readFileSync(r.keyFile, "utf8"),
    now: Date.now(),
  });
  rememberList(merchant.books.record, prepared, input);
  await merchant.publishList(prepared);
  return prepared;
}

const version = (t: RigTerminal) => t.terminal.ledger.listHead()?.version;
const accepts = (t: RigTerminal, code: string) =>
  t.terminal.ledger.check({ amount: 5000, coupons: [{ code }] }, Date.now()).lines[0]?.ok === true;

async function raw(r: ShopRig): Promise<mqtt.MqttClient> {
  const c = await mqtt.connectAsync(r.url, { reconnectPeriod: 0 });
  clients.push(c);
  return c;
}

/** Asks T1 for its health with a signed report-status command and reads the answer. */
async function healthOf(r: ShopRig, c: mqtt.MqttClient, terminal: string): Promise<Health> {
  const topic = `quan/v1/${MERCHANT}/S001/${terminal}/health`;
  await c.subscribeAsync(topic, { qos: 1 });
  const answer = new Promise<Health>((resolve) => {
    c.on("message", (t, payload) => {
      if (t !== topic) return;
      const read = readMessage(t, payload, { base: "quan/v1", publicKey: "", reader: "merchant" });
      if (read.ok) resolve(read.payload as Health);
    });
  });
  const now = Date.now();
  const command = buildMessage(
    "command",
    { scope: "terminal", merchant: MERCHANT, store: "S001", terminal },
    {
      format: "quan.command/1",
      merchant: MERCHANT,
      store: "S001",
      terminal,
      request: `req-${now}`,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 60_000).toISOString(),
      command: "report-status",
    },
    { base: "quan/v1", maxPacketBytes: 1 << 20, privateKeyPem: readFileSync(r.keyFile, "utf8") },
  );
  await c.publishAsync(command.topic, command.payload, { qos: 1 });
  return answer;
}

describe("coupon lists pushed over the link", () => {
  it("a snapshot, then a delta, arrive in chunks and are put in force while the terminal trades", async () => {
    rig = new ShopRig();
    await rig.startBroker();
    await rig.startMerchant();
    const t = await rig.startTerminal("T1");
    await waitFor("link up", () => t.health()?.network === "online");
    expect(accepts(t, "NEW00001")).toBe(false);
    await publish(rig, listWith(5, ["NEW00001"]));
    await waitFor("version 5 in force", () => version(t) === 5);
    expect(accepts(t, "NEW00001")).toBe(true);
    const delta = await publish(rig, listWith(6, ["NEW00001", "NEW00002"]), true);
    expect(delta.list.kind).toBe("delta");
    expect(JSON.parse(delta.list.document).codes.upsert).toEqual([{ code: "NEW00002", campaign: "cash10" }]);
    await waitFor("version 6 in force", () => version(t) === 6);
    expect(accepts(t, "NEW00002")).toBe(true);
  });

  it("a terminal that missed a version gets the retained delta, asks for the whole list, and gets it", async () => {
    rig = new ShopRig();
    await rig.startBroker();
    await rig.startMerchant();
    const t1 = await rig.startTerminal("T1");
    await waitFor("link up", () => t1.health()?.network === "online");
    await publish(rig, listWith(5, ["NEW00001"]));
    await waitFor("T1 at 5", () => version(t1) === 5);
    await publish(rig, listWith(6, ["NEW00001", "NEW00002"]), true);
    await waitFor("T1 at 6", () => version(t1) === 6);
    const t2 = await rig.startTerminal("T2");
    await waitFor("T2 resynced to 6", () => version(t2) === 6, 15_000);
    expect(accepts(t2, "NEW00002")).toBe(true);
  });

  it("refuses forged, replayed, altered, malformed, oversized and flooding messages; the list stays and the till trades", async () => {
    rig = new ShopRig();
    await rig.startBroker();
    await rig.startMerchant();
    const t = await rig.startTerminal("T1");
    await waitFor("link up", () => t.health()?.network === "online");
    const v5 = await publish(rig, listWith(5, ["NEW00001"]));
    await waitFor("version 5", () => version(t) === 5);
    const c = await raw(rig);
    const addr = { scope: "merchant" as const, merchant: MERCHANT };
    const opts = { base: "quan/v1", maxPacketBytes: 1 << 20 };
    const send = (m: { topic: string; payload: Buffer }) => c.publishAsync(m.topic, m.payload, { qos: 1 });

    // Forged: a manifest for version 9 signed by another key.
    const forger = generateMerchantKeys();
    await send(
      buildMessage(
        "merchantListManifest",
        addr,
        { ...v5.chunked.manifest, version: 9 },
        { ...opts, privateKeyPem: forger.privateKeyPem },
      ),
    );
    // Wrong merchant on the payload.
    await send({
      topic: `quan/v1/${MERCHANT}/-/-/list/manifest`,
      payload: buildMessage(
        "merchantListManifest",
        { scope: "merchant", merchant: "other" },
        { ...v5.chunked.manifest, merchant: "other" },
        { ...opts, privateKeyPem: readFileSync(rig.keyFile, "utf8") },
      ).payload,
    });
    // Replay of version 5 after 6 is in force.
    await publish(rig, listWith(6, ["NEW00001", "NEW00002"]), true);
    await waitFor("version 6", () => version(t) === 6);
    await send(
      buildMessage("merchantListManifest", addr, v5.chunked.manifest, {
        ...opts,
        privateKeyPem: readFileSync(rig.keyFile, "utf8"),
      }),
    );
    // Altered chunk: a genuine manifest for 7, its chunk's bytes changed.
    const merchant = rig.merchant;
    if (!merchant) throw new Error("no merchant");
    const v7 = preparePublication(merchant.books.record, listWith(7, ["NEW00003"]), {
      merchant: MERCHANT,
      store: null,
      delta: false,
      privateKeyPem: readFileSync(rig.keyFile, "utf8"),
      now: Date.now(),
    });
    await send(
      buildMessage("merchantListManifest", addr, v7.chunked.manifest, {
        ...opts,
        privateKeyPem: readFileSync(rig.keyFile, "utf8"),
      }),
    );
    const first = v7.chunked.chunks[0];
    if (!first) throw new Error("no chunk");
    const altered = Buffer.from(first.data, "base64");
    altered[100] = (altered[100] ?? 0) ^ 1;
    await send(buildMessage("merchantListChunk", addr, { ...first, data: altered.toString("base64") }, opts));
    // Malformed and oversized on the terminal's ack topic; then a flood of junk.
    const ackTopic = `quan/v1/${MERCHANT}/S001/T1/journal/ack`;
    await c.publishAsync(ackTopic, "{not json", { qos: 1 });
    await c.publishAsync(ackTopic, Buffer.alloc(70 * 1024, 0x20), { qos: 1 });
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) => c.publishAsync(ackTopic, `{"junk":${i}}`, { qos: 0 })),
    );
    await settle(300);

    expect(version(t)).toBe(6);
    expect(accepts(t, "NEW00003")).toBe(false);
    const health = await healthOf(rig, c, "T1");
    expect(health.rejected).toMatchObject({
      bad_signature: 1,
      stale_version: 1,
      altered_chunk: 1,
      not_json: 1,
      oversized: 1,
    });
    expect(health.rejected.invalid ?? 0).toBeGreaterThanOrEqual(2000);
    expect(health.rejected.wrong_address ?? health.rejected.wrong_merchant).toBeGreaterThanOrEqual(1);
    await t.sale("NEW00001");
    expect(t.journal()).toHaveLength(1);
    await waitFor("still reporting", () => t.health()?.unsent === 0);
  }, 30_000);

  it("an online-only campaign is honoured while the link is up and refused once it is down", async () => {
    rig = new ShopRig();
    await rig.startBroker();
    await rig.startMerchant();
    const t = await rig.startTerminal("T1");
    await waitFor("link up", () => t.health()?.network === "online");
    const list = listWith(5, []);
    list.campaigns.push({ id: "web", name: "Web only", kind: "amount", amountOff: 300, onlineOnly: true });
    list.codes.push({ code: "WEB00001", campaign: "web" });
    await publish(rig, list);
    await waitFor("version 5 in force", () => version(t) === 5);
    expect(accepts(t, "WEB00001")).toBe(true);
    await rig.stopMerchant();
    await rig.stopBroker();
    await waitFor("the link down", () => t.health()?.network === "offline", 20_000);
    const line = t.terminal.ledger.check({ amount: 5000, coupons: [{ code: "WEB00001" }] }, Date.now())
      .lines[0];
    expect(line?.ok ? "ok" : line?.reason).toBe("online_only");
    expect(accepts(t, "88000001")).toBe(true);
  }, 30_000);
});
