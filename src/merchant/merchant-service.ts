import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Channel, RefusedMessage } from "../mqtt/channel.js";
import { SupervisedConnection, withTimeout } from "../mqtt/connection.js";
import { publicKeyFromPrivatePem, signDocument } from "../protocol/envelope/index.js";
import {
  chunkDocument,
  type ListChunk,
  type ListResync,
  type ListWant,
  subscriptionsOf,
} from "../protocol/mqtt/index.js";
import type { Logger } from "../runtime/log.js";
import { type IncomingRecord, MerchantBooks, type Outgoing, type TerminalAddress } from "./books.js";
import type { PreparedPublication } from "./list-publishing.js";
import type { MerchantConfig } from "./merchant-config.js";
import type { PublishedList } from "./record/merchant-record.js";
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
  /**
   * A one-shot tool (`quan merchant publish`, `quan merchant command`): its own client id suffix and
   * only the subscriptions it needs (the serving instance answers the terminals).
   */
  tool?: { suffix: string; subscriptions: string[] };
}

const MAX_BATCH = 500;

export class MerchantService {
  readonly books: MerchantBooks;
  readonly channel: Channel;
  private readonly connection: SupervisedConnection;
  private queue: IncomingRecord[] = [];
  /** Transactions committed for incoming records (each one durable commit). */
  batches = 0;
  private readonly privateKeyPem: string;
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
      clientId: `${b.clientId ?? `quan-m-${config.merchant.id}`}${o.tool?.suffix ?? ""}`,
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
      subscriptions: o.tool
        ? o.tool.subscriptions
        : subscriptionsOf(b.base, { merchant: config.merchant.id }),
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
    this.channel.on("listWant", (want, address) => this.answerWant(want, address));
    this.channel.on("listResync", (resync, address) => this.answerResync(resync, address));
    this.privateKeyPem = privateKeyPem;
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
    if (!this.o.tool) this.connection.on("up", () => void this.republishManifests());
    await this.connection.start();
  }

  /** Resolves once connected (or rejects after `timeoutMs`). */
  async connectedWithin(timeoutMs: number): Promise<void> {
    if (this.connection.connected) return;
    await withTimeout(
      new Promise<void>((resolve) => this.connection.once("up", () => resolve())),
      timeoutMs,
      "connecting to the broker",
    );
  }

  /** Publishes a prepared list: its signed manifest (retained) and its chunks, store- or merchant-wide. */
  async publishList(p: PreparedPublication): Promise<void> {
    const merchant = this.o.config.merchant.id;
    const store = p.list.store;
    if (store) {
      const address = { scope: "store" as const, merchant, store };
      await this.channel.publish("storeListManifest", address, p.chunked.manifest);
      await inBatches(p.chunked.chunks, (c) => this.channel.publish("storeListChunk", address, c));
    } else {
      const address = { scope: "merchant" as const, merchant };
      await this.channel.publish("merchantListManifest", address, p.chunked.manifest);
      await inBatches(p.chunked.chunks, (c) => this.channel.publish("merchantListChunk", address, c));
    }
  }

  /** The broker may have forgotten the retained manifests (the embedded one keeps them in memory). */
  private async republishManifests(): Promise<void> {
    const stores = new Set<string | null>([null, ...this.books.record.terminals().map((t) => t.store)]);
    for (const store of stores) {
      const list = this.books.record.latestList(store);
      if (!list || list.store !== store) continue;
      try {
        const chunked = this.rechunk(list);
        const merchant = this.o.config.merchant.id;
        if (store)
          await this.channel.publish(
            "storeListManifest",
            { scope: "store", merchant, store },
            chunked.manifest,
          );
        else
          await this.channel.publish(
            "merchantListManifest",
            { scope: "merchant", merchant },
            chunked.manifest,
          );
      } catch (err) {
        this.o.log.warn(
          { err: (err as Error).message, store },
          "merchant: the list manifest was not re-published",
        );
      }
    }
  }

  private rechunk(list: PublishedList) {
    return chunkDocument(
      list.envelope,
      {
        merchant: this.o.config.merchant.id,
        ...(list.store ? { store: list.store } : {}),
        kind: list.kind,
        version: list.version,
        ...(list.base ? { base: list.base } : {}),
        issuedAt: list.publishedAt,
      },
      this.privateKeyPem,
      list.chunkBytes,
    );
  }

  private async answerWant(want: ListWant, address: TerminalAddress): Promise<void> {
    const list = this.books.record.listByEnvelope(want.version, want.envelope);
    if (!list)
      throw new RefusedMessage("unknown_list", `${address.terminal} wants chunks of a list not on record`);
    const { chunks } = this.rechunk(list);
    const wanted = want.chunks.filter((i) => i < chunks.length).map((i) => chunks[i] as ListChunk);
    await inBatches(wanted, (c) => this.channel.publish("terminalListChunk", address, c));
  }

  /** A full list of the latest version, on the terminal's own topics. */
  private async answerResync(resync: ListResync, address: TerminalAddress): Promise<void> {
    const latest = this.books.record.latestList(address.store);
    if (!latest)
      throw new RefusedMessage("no_list", `${address.terminal} asks for a list; none was published`);
    this.o.log.info(
      { terminal: address.terminal, reason: resync.reason, version: latest.version },
      "merchant: resync",
    );
    const snapshot: PublishedList =
      latest.kind === "snapshot"
        ? latest
        : {
            ...latest,
            kind: "snapshot",
            base: null,
            document: latest.full,
            envelope: Buffer.from(JSON.stringify(signDocument(latest.full, this.privateKeyPem)), "utf8"),
          };
    const chunked = chunkDocument(
      snapshot.envelope,
      {
        merchant: this.o.config.merchant.id,
        ...(snapshot.store ? { store: snapshot.store } : {}),
        kind: "snapshot",
        version: snapshot.version,
        issuedAt: snapshot.publishedAt,
      },
      this.privateKeyPem,
      snapshot.chunkBytes,
    );
    await this.channel.publish("terminalListManifest", address, chunked.manifest);
    await inBatches(chunked.chunks, (c) => this.channel.publish("terminalListChunk", address, c));
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
    this.batches += 1;
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

/** Publishes at most 8 at a time: a big list must not hold every chunk in the client's queue at once. */
async function inBatches<T>(items: T[], publish: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 8) await Promise.all(items.slice(i, i + 8).map(publish));
}
