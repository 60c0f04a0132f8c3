import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/broker/embedded-broker.js";

const open: EmbeddedBroker[] = [];
const clients: mqtt.MqttClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  for (const b of open.splice(0)) await b.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function broker(dataDir: string | null, port = 0, maxPacketBytes?: number): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ dataDir, port, ...(maxPacketBytes ? { maxPacketBytes } : {}) });
  open.push(b);
  return b;
}

async function client(url: string, options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
  clients.push(c);
  return c;
}

function nextMessage(c: mqtt.MqttClient, timeoutMs = 3000): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message")), timeoutMs);
    c.once("message", (topic, payload) => {
      clearTimeout(timer);
      resolve({ topic, payload: payload.toString() });
    });
  });
}

describe("embedded broker", () => {
  it("keeps a retained message and a persistent session's queued QoS 1 message across a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "quan-broker-"));
    dirs.push(dir);
    const first = await broker(join(dir, "db"));
    const sub = await client(first.url, { clientId: "t-1", clean: false });
    await sub.subscribeAsync("quan/x", { qos: 1 });
    await sub.endAsync();
    clients.splice(clients.indexOf(sub), 1);
    const pub = await client(first.url);
    await pub.publishAsync("quan/manifest", "v7", { qos: 1, retain: true });
    await pub.publishAsync("quan/x", "queued while offline", { qos: 1 });
    await pub.endAsync();
    clients.splice(clients.indexOf(pub), 1);
    const port = first.port;
    await first.stop();
    open.splice(open.indexOf(first), 1);

    const second = await broker(join(dir, "db"), port);
    const back = await mqtt.connectAsync(second.url, {
      clientId: "t-1",
      clean: false,
      reconnectPeriod: 0,
      manualConnect: false,
    });
    clients.push(back);
    const queued = await nextMessage(back);
    expect(queued).toEqual({ topic: "quan/x", payload: "queued while offline" });
    const late = await client(second.url);
    const retained = nextMessage(late);
    await late.subscribeAsync("quan/manifest", { qos: 1 });
    expect(await retained).toEqual({ topic: "quan/manifest", payload: "v7" });
  });

  it("closes the connection of a client that sends a packet over the limit and serves the others", async () => {
    const b = await broker(null, 0, 64 * 1024);
    const listener = await client(b.url);
    await listener.subscribeAsync("quan/#", { qos: 1 });
    const hostile = await client(b.url);
    const closed = new Promise<void>((resolve) => hostile.once("close", () => resolve()));
    hostile.publish("quan/big", Buffer.alloc(200 * 1024, 1), { qos: 0 });
    await closed;
    expect(b.refusedPackets).toBe(1);
    const got = nextMessage(listener);
    const fine = await client(b.url);
    await fine.publishAsync("quan/small", "ok", { qos: 1 });
    expect(await got).toEqual({ topic: "quan/small", payload: "ok" });
  });
});
