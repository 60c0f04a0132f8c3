import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Channel } from "../mqtt/channel.js";
import { SupervisedConnection } from "../mqtt/connection.js";
import { publicKeyFromPrivatePem } from "../protocol/envelope/index.js";
import { subscriptionsOf } from "../protocol/mqtt/index.js";
import type { Logger } from "../runtime/log.js";
import { type IncomingRecord, MerchantBooks, type Outgoing } from "./books.js";
import type { MerchantConfig } from "./merchant-config.js";
import { SqliteRecord } from "./record/sqlite-record.js";

/*
 * `quan merchant serve`: the books behind a broker connection. Records that arrive together are
 * taken in one transaction (a durable commit costs ~1 ms here; one per record would cap a
 * reconnecting terminal's backlog at ~900/s), and the acks, forwards and conflict notices of a
 * batch are published only after its commit returned.
 */

export interface MerchantServiceOptions {
  config: MerchantConfig;
  log: Logger;
  now?: () => number;
}

const MAX_BATCH = 500;

export class MerchantService {
  readonly books: MerchantBooks;
  readonly channel: Channel;
  private readonly connection: SupervisedConnection;
  private queue: IncomingRecord[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly o: MerchantServiceOptions,
    record: SqliteRecord,
  ) {
    const { config, log } = o;
    const now = o.now ?? Date.now;
    const privateKeyPem = readFileSync(config.merchant.privateKeyFile, "utf8");
    this.books = new MerchantBooks(record, config.merchant.id, now);
    let connection: SupervisedConnection | null = null;
    this.channel = new Channel(
      { publish: (m) => (connection as SupervisedConnection).publish(m) },
      {
        base: config.broker.base,
        reader: "merchant",
        publicKey: publicKeyFromPrivatePem(privateKeyPem),
        maxPacketBytes: config.broker.maxPacketBytes,
        privateKeyPem,
        log,
      },
    );
    const b = config.broker;
    connection = new SupervisedConnection({
      url: b.url,
      clientId: b.clientId ?? `quan-m-${config.merchant.id}`,
      username: b.username ?? `merchant-${config.merchant.id}`,
      ...(b.passwordFile
        ? { password: readFileSync(b.passwordFile, "utf8").split(/\r?\n/)[0]?.trim() ?? "" }
        : {}),
      ...(b.tls
        ? {
            tls: {
              ...(b.tls.ca ? { ca: readFileSync(b.tls.ca) } : {}),
              ...(b.tls.cert ? { cert: readFileSync(b.tls.cert) } : {}),
              ...(b.tls.key ? { key: readFileSync(b.tls.key) } : {}),
            },
          }
        : {}),
      keepaliveSeconds: 30,
      protocolVersion: b.protocolVersion,
      subscriptions: subscriptionsOf(b.base, { merchant: config.merchant.id }),
      onMessage: this.channel.receive,
      backoff: { minMs: 500, maxMs: 30_000 },
      connectTimeoutMs: 10_000,
      ackTimeoutMs: 10_000,
      log,
    });
    this.connection = connection;
    this.channel.on("record", (payload, address) => {
      this.queue.push({ address, payload });
      this.scheduleFlush();
    });
    this.channel.on("status", (status, address) => {
      if (this.books.receiveStatus(address, status) === "stale")
        this.channel.reject(
          "stale_status",
          `${address.terminal}: bdSeq ${status.bdSeq} is older than one seen`,
        );
    });
    this.channel.on("health", (health, address) => this.books.receiveHealth(address, health));
  }

  static async open(o: MerchantServiceOptions): Promise<MerchantService> {
    const record = await SqliteRecord.open(join(o.config.dataDir, "merchant.sqlite"));
    return new MerchantService(o, record);
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  on(event: "up" | "down", listener: () => void): void {
    this.connection.on(event, listener);
  }

  async start(): Promise<void> {
    await this.connection.start();
  }

  async stop(): Promise<void> {
    await this.flushing;
    await this.connection.stop();
    this.books.record.close();
  }

  private scheduleFlush(): void {
    if (this.queue.length >= MAX_BATCH) {
      this.flushNow();
      return;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushNow();
    });
  }

  private flushNow(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let out: Outgoing[];
    try {
      out = this.books.receiveRecords(batch);
    } catch (err) {
      // Not committed, so not acknowledged: the terminals send these again after their next connect.
      this.o.log.error({ err, records: batch.length }, "merchant: a batch could not be committed");
      return;
    }
    const previous = this.flushing;
    this.flushing = previous.then(() => this.publishAll(out));
  }

  private async publishAll(out: Outgoing[]): Promise<void> {
    const results = await Promise.allSettled(
      out.map((m) => this.channel.publish(m.name, m.address as never, m.payload as never)),
    );
    const failed = results.filter((r) => r.status === "rejected").length;
    if (failed > 0)
      this.o.log.warn(
        { failed, of: out.length },
        "merchant: some acks or forwards were not published (terminals re-send)",
      );
  }
}
