import { mkdir } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { Duplex, pipeline } from "node:stream";
import type { Logger } from "../runtime/log.js";
import { PacketLimit } from "./packet-limit.js";

/*
 * The broker `npm start` runs for a shop with no broker of its own: aedes (MQTT 3.1.1) with its
 * level persistence, so retained manifests, persistent sessions and queued QoS 1 messages survive
 * a restart, on a loopback port. Real deployments point the terminals at Mosquitto, EMQX or a cloud
 * broker instead; nothing in the link depends on this being aedes.
 */

export interface EmbeddedBrokerOptions {
  /** Where the level database lives; null keeps everything in memory (tests that restart nothing). */
  dataDir: string | null;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Largest MQTT packet accepted from a client (the whole packet, header included). */
  maxPacketBytes?: number;
  log?: Logger;
}

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  /** Packets refused for their size since start. */
  readonly refusedPackets: number;
  stop(): Promise<void>;
}

export const DEFAULT_BROKER_MAX_PACKET_BYTES = 1024 * 1024;

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { Aedes } = await import("aedes");
  let persistence: unknown;
  let closeDb: (() => Promise<void>) | null = null;
  if (options.dataDir !== null) {
    await mkdir(options.dataDir, { recursive: true });
    const { Level } = await import("level");
    const { default: levelPersistence } = await import("aedes-persistence-level");
    const db = new Level(options.dataDir);
    await db.open();
    persistence = levelPersistence(db);
    closeDb = () => db.close();
  }
  const aedes = await Aedes.createBroker(persistence === undefined ? {} : { persistence });
  const maxPacketBytes = options.maxPacketBytes ?? DEFAULT_BROKER_MAX_PACKET_BYTES;
  let refused = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    const limit = new PacketLimit(maxPacketBytes, (bytes) => {
      refused += 1;
      options.log?.warn(
        { bytes, remote: socket.remoteAddress },
        "broker: oversized packet refused, connection closed",
      );
    });
    // aedes reads what passed the limit and writes its answers straight to the socket.
    const connection = new Duplex({
      read() {},
      write(chunk, _enc, done) {
        socket.write(chunk, done);
      },
      final(done) {
        socket.end(done);
      },
      destroy(err, done) {
        socket.destroy(err ?? undefined);
        done(err);
      },
    });
    limit.on("data", (chunk: Buffer) => connection.push(chunk));
    limit.on("end", () => connection.push(null));
    pipeline(socket, limit, (err) => {
      if (err) {
        socket.destroy();
        connection.destroy();
      }
    });
    aedes.handle(connection as never);
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("broker: no TCP address");
  const port = address.port;
  options.log?.info({ host, port, persistent: options.dataDir !== null }, "broker: listening");
  return {
    url: `mqtt://${host}:${port}`,
    port,
    get refusedPackets() {
      return refused;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await closeDb?.();
    },
  };
}
