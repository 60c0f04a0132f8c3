import { readFileSync } from "node:fs";
import { Channel, RefusedMessage } from "../../mqtt/channel.js";
import { SupervisedConnection } from "../../mqtt/connection.js";
import {
  type Accepted,
  type Address,
  type Command,
  type Conflict,
  type Health,
  type Publish,
  type Status,
  statusSchema,
  subscriptionsOf,
  TOPICS,
  topicFor,
} from "../../protocol/mqtt/index.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import type { CouponStore } from "../store/coupon-store.js";
import { LinkState } from "./link-state.js";
import { ListSync } from "./list-sync.js";
import { Outbox } from "./outbox.js";

/*
 * The terminal's side of the merchant link: one supervised connection, the outbox over the
 * journal, birth and death with a bdSeq, periodic health, and signed commands. What arrives for
 * the list, the store's other tills and conflicts is handed to the `receivers` (list sync, peer
 * usage, conflicts), each a module of its own.
 */

export type LinkConfig = NonNullable<Config["link"]>;

export interface LinkReceivers {
  accepted?(accepted: Accepted): void | Promise<void>;
  conflict?(conflict: Conflict): void | Promise<void>;
  /** Puts a list that arrived over the link in force (a snapshot off the main thread); throws when refused. */
  applyList?(kind: "snapshot" | "delta", envelope: Buffer, sha256: string): Promise<void>;
}

export interface TerminalLinkOptions {
  config: Config & { link: LinkConfig };
  dataDir: string;
  /** What the link reads of the store: the chain head, the list in force, trusted time. */
  ledger: Pick<CouponStore, "journalHead" | "listHead" | "status">;
  log: Logger;
  now: () => number;
  software: string;
  printer: () => Health["printer"];
  clockSynchronized: () => boolean;
  receivers?: LinkReceivers;
  /** Told when the link goes up or down and when the unsent count changes. */
  onChange?: (state: { online: boolean; unsent: number; conflicts: number }) => void;
}

const SEEN_REQUESTS = 1000;

export class TerminalLink {
  readonly address: Extract<Address, { scope: "terminal" }>;
  readonly state: LinkState;
  readonly outbox: Outbox;
  readonly channel: Channel;
  readonly lists: ListSync | null;
  private readonly connection: SupervisedConnection;
  private connectedSince = 0;
  private healthTimer: NodeJS.Timeout | null = null;
  private readonly seenRequests: string[] = [];

  constructor(private readonly o: TerminalLinkOptions) {
    const { config } = o;
    const link = config.link;
    this.address = {
      scope: "terminal",
      merchant: config.merchant.id,
      store: config.terminal.store,
      terminal: config.terminal.id,
    };
    this.state = new LinkState(o.dataDir);
    this.ownTerminalField = Buffer.from(`"terminal":${JSON.stringify(config.terminal.id)}`, "utf8");
    let connection: SupervisedConnection | null = null;
    this.channel = new Channel(
      { publish: (m: Publish) => (connection as SupervisedConnection).publish(m) },
      {
        base: link.base,
        reader: "terminal",
        publicKey: config.merchant.publicKey,
        maxPacketBytes: link.maxPacketBytes,
        log: o.log,
      },
    );
    this.outbox = new Outbox({
      dataDir: o.dataDir,
      state: this.state,
      head: () => o.ledger.journalHead(),
      send: (record) => this.channel.publish("record", this.address, record),
      window: link.window,
      log: o.log.child({ part: "outbox" }),
      onChange: () => this.changed(),
    });
    connection = new SupervisedConnection({
      url: link.url,
      clientId: link.clientId ?? `quan-t-${config.terminal.id}`,
      username: link.username ?? config.terminal.id,
      ...(link.passwordFile ? { password: firstLine(link.passwordFile) } : {}),
      ...(link.tls ? { tls: readTls(link.tls) } : {}),
      keepaliveSeconds: link.keepaliveSeconds,
      protocolVersion: link.protocolVersion,
      beforeConnect: () => this.willForNextConnect(),
      // Its own retained status too: a late will of an older connection must not stand.
      subscriptions: [...subscriptionsOf(link.base, { terminal: this.address }), this.statusTopic(link.base)],
      onMessage: (topic, bytes) => {
        if (topic === this.statusTopic(link.base)) this.ownStatus(bytes);
        else if (this.isOwnBroadcast(topic, bytes)) this.ownEchoes += 1;
        else this.channel.receive(topic, bytes);
      },
      backoff: { minMs: 500, maxMs: 30_000 },
      connectTimeoutMs: 10_000,
      ackTimeoutMs: 10_000,
      log: o.log,
    });
    this.connection = connection;
    const applyList = o.receivers?.applyList;
    this.lists = applyList
      ? new ListSync({
          merchant: config.merchant.id,
          store: config.terminal.store,
          terminal: config.terminal.id,
          held: () => o.ledger.listHead(),
          apply: applyList,
          send: {
            want: (want) =>
              this.channel.publish("listWant", this.address, {
                format: "quan.list-want/1",
                terminal: this.address.terminal,
                ...want,
              }),
            resync: ({ reason }) =>
              this.channel.publish("listResync", this.address, {
                format: "quan.list-resync/1",
                terminal: this.address.terminal,
                have: o.ledger.listHead(),
                reason,
              }),
          },
          log: o.log.child({ part: "list-sync" }),
        })
      : null;
    this.listen();
  }

  get online(): boolean {
    return this.connection.connected;
  }

  async start(): Promise<void> {
    this.connection.on("up", () => void this.up());
    this.connection.on("down", () => {
      this.outbox.disconnected();
      this.changed();
    });
    await this.connection.start();
    this.healthTimer = setInterval(
      () => void this.publishHealth(),
      this.o.config.link.healthIntervalSeconds * 1000,
    );
    this.healthTimer.unref();
  }

  /** A clean stop says "offline" itself (with the current bdSeq), then disconnects. */
  async stop(): Promise<void> {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = null;
    this.lists?.stop();
    await this.connection.stop(this.statusMessage("offline"));
  }

  /** The ledger committed a record: send it. */
  committed(): void {
    this.outbox.committed();
  }

  health(): Health {
    const head = this.o.ledger.journalHead();
    const list = this.o.ledger.listHead();
    const status = this.o.ledger.status(this.o.now());
    const oldest = this.outbox.oldestUnsentAt();
    const rejected = { ...this.channel.rejected } as Record<string, number>;
    for (const [problem, n] of Object.entries(this.outbox.problems)) if (n > 0) rejected[problem] = n;
    return {
      format: "quan.health/1",
      terminal: this.address.terminal,
      at: new Date(this.o.now()).toISOString(),
      bdSeq: this.state.bdSeq,
      software: this.o.software,
      list: list ? { version: list.version, documentHash: list.documentHash } : null,
      outbox: {
        unsent: this.outbox.unsent,
        oldestUnsentAt: oldest === null ? null : new Date(oldest).toISOString(),
        ackedThrough: this.outbox.ackedThrough,
      },
      chain: head,
      printer: this.o.printer(),
      clock: {
        synchronized: this.o.clockSynchronized(),
        trusted: status.trustedTime > 0 ? new Date(status.trustedTime).toISOString() : null,
        offsetMs: null,
      },
      rejected: Object.fromEntries(Object.entries(rejected).slice(0, 32)),
      conflicts: this.state.openConflicts(),
    };
  }

  private async up(): Promise<void> {
    try {
      await this.connection.publish(this.statusMessage("online"));
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, "link: birth not acknowledged");
    }
    this.outbox.connected();
    this.changed();
    await this.publishHealth();
  }

  private async publishHealth(): Promise<void> {
    if (!this.connection.connected) return;
    try {
      await this.channel.publish("health", this.address, this.health());
    } catch (err) {
      this.o.log.debug({ err: (err as Error).message }, "link: health not published");
    }
  }

  /**
   * The merchant forwards every accepted record to the whole store, this till's own included: those
   * are recognised by their bytes (the merchant writes `"terminal":"<id>"` exactly so) and dropped
   * unread, since reading them would change nothing. A payload spelled otherwise is read in full.
   */
  private isOwnBroadcast(topic: string, bytes: Buffer): boolean {
    if (!topic.endsWith("/journal/accepted")) return false;
    return bytes.includes(this.ownTerminalField);
  }

  private readonly ownTerminalField: Buffer;
  /** Own records the merchant forwarded back, dropped unread. */
  ownEchoes = 0;

  private statusTopic(base: string): string {
    return topicFor(base, "status", this.address);
  }

  /**
   * Our own retained status as the broker holds it: an "offline" of an older connection (its will,
   * fired late by a half-open socket) is answered with our birth again. Anything else is ignored.
   */
  private ownStatus(bytes: Buffer): void {
    if (bytes.length > TOPICS.status.maxBytes || !this.connection.connected) return;
    let status: Status;
    try {
      status = statusSchema.parse(JSON.parse(bytes.toString("utf8")));
    } catch (err) {
      this.channel.reject("invalid", `own status: ${(err as Error).message.slice(0, 200)}`);
      return;
    }
    if (status.state !== "offline" || status.bdSeq >= this.state.bdSeq) return;
    this.o.log.warn(
      { stale: status.bdSeq, ours: this.state.bdSeq },
      "link: a stale will stood for us; birth again",
    );
    this.connection
      .publish(this.statusMessage("online"))
      .catch((err: Error) => this.o.log.warn({ err: err.message }, "link: birth not acknowledged"));
  }

  private willForNextConnect(): Publish {
    this.state.nextBdSeq();
    this.connectedSince = this.o.now();
    return this.statusMessage("offline");
  }

  private statusMessage(state: "online" | "offline"): Publish {
    return this.channel.build("status", this.address, {
      format: "quan.status/1",
      terminal: this.address.terminal,
      state,
      bdSeq: this.state.bdSeq,
      since: new Date(this.connectedSince || this.o.now()).toISOString(),
    });
  }

  private changed(): void {
    this.o.onChange?.({
      online: this.connection.connected,
      unsent: this.outbox.unsent,
      conflicts: this.state.openConflicts(),
    });
  }

  private listen(): void {
    const r = this.o.receivers ?? {};
    this.channel.on("ack", (ack) => this.outbox.ack(ack));
    this.channel.on("command", (command) => this.command(command));
    const lists = this.lists;
    if (lists) {
      this.channel.on("merchantListManifest", (m) => lists.manifest(m));
      this.channel.on("storeListManifest", (m) => lists.manifest(m));
      this.channel.on("terminalListManifest", (m) => lists.manifest(m));
      this.channel.on("merchantListChunk", (c) => lists.chunk(c));
      this.channel.on("storeListChunk", (c) => lists.chunk(c));
      this.channel.on("terminalListChunk", (c) => lists.chunk(c));
    }
    this.channel.on("storeAccepted", (a) => this.accepted(a));
    this.channel.on("merchantAccepted", (a) => this.accepted(a));
    this.channel.on("conflict", (c) => {
      const changed = this.state.holdConflict({
        id: c.conflict,
        state: c.state,
        code: c.code,
        detectedAt: c.detectedAt,
        redemptions: c.redemptions.map(({ id, terminal, at }) => ({ id, terminal, at })),
      });
      if (changed) {
        this.o.log.warn(
          { conflict: c.conflict, code: c.code, state: c.state },
          "link: the merchant flagged a conflict",
        );
        this.changed();
      }
      return r.conflict?.(c);
    });
  }

  private accepted(a: Accepted): void | Promise<void> {
    if (a.entry.terminal === this.address.terminal) return;
    return this.o.receivers?.accepted?.(a);
  }

  private async command(c: Command): Promise<void> {
    const now = this.o.now();
    if (this.seenRequests.includes(c.request))
      throw new RefusedMessage("replayed_command", `request ${c.request} already run`);
    if (Date.parse(c.expiresAt) < now || Date.parse(c.issuedAt) > now + 5 * 60_000)
      throw new RefusedMessage("stale_command", `request ${c.request} is not valid now`);
    this.seenRequests.push(c.request);
    if (this.seenRequests.length > SEEN_REQUESTS) this.seenRequests.shift();
    let outcome: "done" | "refused" | "failed" = "done";
    let detail: string | undefined;
    try {
      if (c.command === "report-status") await this.publishHealth();
      else if (c.command === "resync-list") {
        if (this.lists) await this.lists.resync();
        else {
          outcome = "refused";
          detail = "this terminal does not take lists over the link";
        }
      } else {
        outcome = "refused";
        detail = "print-test-page: not supported by this software version";
      }
    } catch (err) {
      outcome = "failed";
      detail = (err as Error).message.slice(0, 400);
    }
    await this.channel.publish("commandReply", this.address, {
      format: "quan.command-reply/1",
      terminal: this.address.terminal,
      request: c.request,
      at: new Date(this.o.now()).toISOString(),
      outcome,
      ...(detail ? { detail } : {}),
    });
  }
}

function firstLine(file: string): string {
  return (readFileSync(file, "utf8").split(/\r?\n/)[0] ?? "").trim();
}

function readTls(tls: NonNullable<LinkConfig["tls"]>): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  return {
    ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
    ...(tls.cert ? { cert: readFileSync(tls.cert) } : {}),
    ...(tls.key ? { key: readFileSync(tls.key) } : {}),
  };
}
