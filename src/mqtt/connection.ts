import { EventEmitter } from "node:events";
import type { IClientOptions, MqttClient } from "mqtt";
import type { Publish } from "../protocol/mqtt/index.js";
import type { Logger } from "../runtime/log.js";

/*
 * One supervised MQTT connection, the only user of MQTT.js. Each attempt is a fresh client with
 * MQTT.js's own reconnect off: the supervisor retries forever with capped, jittered back-off
 * (including a broker that is absent or refuses at boot), asks `beforeConnect` for the will of
 * THIS attempt (Sparkplug's bdSeq grows per CONNECT), and ends a client that has not connected
 * within `connectTimeoutMs`, so MQTT.js's latches (stuck `disconnecting`, a reconnect loop that
 * never recovers: field notes §3) cannot hold the link down. MQTT.js keeps unacked QoS 1 packets
 * in memory only; nothing here relies on them: what must arrive is re-sent by the application
 * from its own durable record until the other side acknowledges it.
 */

export interface ConnectionOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** TLS material (PEM) for mqtts://. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  keepaliveSeconds: number;
  /** MQTT protocol: 4 is 3.1.1 (every broker), 5 is MQTT 5. */
  protocolVersion: 4 | 5;
  /** Called before every CONNECT; returns the last will for that connection. */
  beforeConnect?: () => Publish | undefined;
  /** Topic filters subscribed (QoS 1) after every CONNECT. */
  subscriptions: string[];
  onMessage: (topic: string, payload: Buffer) => void;
  backoff: { minMs: number; maxMs: number };
  connectTimeoutMs: number;
  /** Longest wait for a PUBACK or SUBACK. */
  ackTimeoutMs: number;
  log: Logger;
}

const STOP_WAIT_MS = 2000;

export class NotConnectedError extends Error {
  override name = "NotConnectedError";
}

export class AckTimeoutError extends Error {
  override name = "AckTimeoutError";
}

export interface ConnectionEvents {
  up: [];
  down: [reason: string];
}

export class SupervisedConnection extends EventEmitter<ConnectionEvents> {
  private client: MqttClient | null = null;
  private online = false;
  private stopped = true;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private mqttModule: typeof import("mqtt") | null = null;
  /** Publishes awaiting their PUBACK: rejected at once when the connection ends. */
  private readonly pending = new Set<(err: Error) => void>();
  /** Connections made since start (a test and the health part read it). */
  connects = 0;

  constructor(private readonly options: ConnectionOptions) {
    super();
  }

  get connected(): boolean {
    return this.online;
  }

  async start(): Promise<void> {
    this.mqttModule ??= await import("mqtt");
    this.stopped = false;
    this.attempt();
  }

  /** Ends the connection; `finalMessage` (e.g. a clean "offline" status) is published first when connected. */
  async stop(finalMessage?: Publish): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (this.online && finalMessage) {
      // A stop must not wait long on a dead network: the will says "offline" for us then.
      await withTimeout(this.publishOn(client, finalMessage), STOP_WAIT_MS, "the final message").catch(
        (err: Error) =>
          this.options.log.warn({ err: err.message }, "link: the final message was not acknowledged"),
      );
    }
    this.online = false;
    await withTimeout(client.endAsync(false), STOP_WAIT_MS, "disconnect").catch((err: Error) => {
      this.options.log.debug({ err: err.message }, "link: forced disconnect");
      client.end(true);
    });
  }

  /** Publishes and resolves on the PUBACK (QoS 1) or once written (QoS 0); rejects on timeout or when offline. */
  publish(message: Publish): Promise<void> {
    const client = this.client;
    if (!client || !this.online) return Promise.reject(new NotConnectedError("not connected to the broker"));
    return this.publishOn(client, message);
  }

  private publishOn(client: MqttClient, message: Publish): Promise<void> {
    return withTimeout(
      client
        .publishAsync(message.topic, message.payload, { qos: message.qos, retain: message.retain })
        .then(() => {}),
      this.options.ackTimeoutMs,
      `publish to ${message.topic}`,
    );
  }

  private attempt(): void {
    if (this.stopped) return;
    const mqtt = this.mqttModule;
    if (!mqtt) throw new Error("start() first");
    const o = this.options;
    let will: Publish | undefined;
    try {
      will = o.beforeConnect?.();
    } catch (err) {
      o.log.error({ err }, "link: preparing the connection failed; retrying");
      this.scheduleRetry("beforeConnect failed");
      return;
    }
    const options: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      protocolVersion: o.protocolVersion,
      keepalive: o.keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs,
      resubscribe: false,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.tls?.ca ? { ca: o.tls.ca } : {}),
      ...(o.tls?.cert ? { cert: o.tls.cert } : {}),
      ...(o.tls?.key ? { key: o.tls.key } : {}),
      ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } } : {}),
      ...(will
        ? { will: { topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain } }
        : {}),
    };
    const client = mqtt.connect(o.url, options);
    this.client = client;
    this.connectTimer = setTimeout(() => {
      if (this.client === client && !this.online) this.drop(client, "no CONNACK in time");
    }, o.connectTimeoutMs + 1000);
    client.on("connect", () => {
      if (this.client !== client) return;
      this.clearConnectTimer();
      // Acks and small records go at once: Nagle's algorithm against delayed ACKs costs ~40 ms a round.
      (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
      // Publishing is possible from the CONNACK on: a retained message may arrive, and be answered,
      // before the subscriptions are acknowledged. "up" waits for those.
      this.online = true;
      void this.subscribe(client);
    });
    client.on("message", (topic, payload) => {
      if (this.client !== client) return;
      // One message per turn of the event loop (in order): a burst of list chunks, each read and
      // hashed, must not hold up the scan that arrives between two of them.
      setImmediate(() => {
        try {
          o.onMessage(topic, payload);
        } catch (err) {
          o.log.error({ err, topic: topic.slice(0, 200) }, "link: a message handler failed");
        }
      });
    });
    client.on("error", (err) => {
      if (this.client === client) this.drop(client, err.message);
    });
    client.on("close", () => {
      if (this.client === client) this.drop(client, "connection closed");
    });
    client.on("offline", () => {
      if (this.client === client) this.drop(client, "offline");
    });
  }

  private async subscribe(client: MqttClient): Promise<void> {
    try {
      if (this.options.subscriptions.length > 0)
        await withTimeout(
          client.subscribeAsync(this.options.subscriptions, { qos: 1 }).then((granted) => {
            const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
            if (refused.length > 0) throw new Error(`subscriptions refused: ${refused.join(", ")}`);
          }),
          this.options.ackTimeoutMs,
          "subscribe",
        );
    } catch (err) {
      if (this.client === client) this.drop(client, (err as Error).message);
      return;
    }
    if (this.client !== client || this.stopped) return;
    this.failures = 0;
    this.connects += 1;
    this.options.log.info({ url: this.options.url, connects: this.connects }, "link: connected");
    this.emit("up");
  }

  private drop(client: MqttClient, reason: string): void {
    if (this.client !== client) return;
    this.client = null;
    this.clearConnectTimer();
    client.removeAllListeners("connect");
    client.removeAllListeners("message");
    client.on("error", () => {});
    client.end(true);
    const wasOnline = this.online;
    this.online = false;
    for (const abandon of this.pending) abandon(new NotConnectedError(`connection lost (${reason})`));
    this.pending.clear();
    if (wasOnline) {
      this.options.log.warn({ reason }, "link: disconnected");
      this.emit("down", reason);
    } else if (this.failures === 0 || this.failures % 20 === 0) {
      this.options.log.warn({ reason, failures: this.failures + 1 }, "link: cannot connect; retrying");
    }
    this.scheduleRetry(reason);
  }

  private scheduleRetry(_reason: string): void {
    if (this.stopped) return;
    this.failures += 1;
    const { minMs, maxMs } = this.options.backoff;
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(this.failures - 1, 16));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.attempt();
    }, delay);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private clearTimers(): void {
    this.clearConnectTimer();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}

/** Rejects with AckTimeoutError when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AckTimeoutError(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
