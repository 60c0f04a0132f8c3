import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "../runtime/log.js";
import { PacketSizeWatch } from "./packet-limit.js";

/*
 * The broker `npm start` runs for a shop with no broker of its own: aedes (MQTT 3.1.1) on a
 * loopback port, with a packet-size limit aedes lacks. Its sessions and retained messages live in
 * memory. aedes-persistence-level (the persistence the field notes name) loses QoS 1 messages to
 * an online persistent-session subscriber under a burst (measured here: 9-16 of 300 publishes of
 * 1.5 KB, 50 in flight, aedes 1.2 + aedes-persistence-level 9.2; none with the memory
 * persistence): a broker that drops what it acknowledged is worse than one that forgets on a
 * restart, which the link is built for anyway (the terminal re-sends from its journal until the
 * merchant acknowledges; the merchant re-publishes its list manifest when it starts). Real
 * deployments point the terminals at Mosquitto, EMQX or a cloud broker instead.
 */

export interface EmbeddedBrokerOptions {
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
  const aedes = await Aedes.createBroker();
  const maxPacketBytes = options.maxPacketBytes ?? DEFAULT_BROKER_MAX_PACKET_BYTES;
  let refused = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    // Small packets (PUBACKs) go at once: Nagle's algorithm against delayed ACKs costs ~40 ms a round.
    socket.setNoDelay(true);
    socket.once("close", () => sockets.delete(socket));
    // aedes reads the socket itself (paused mode, `read()` on 'readable'): every chunk it reads
    // passes the watch first, at no cost to the byte path.
    const watch = new PacketSizeWatch(maxPacketBytes);
    const read = socket.read.bind(socket);
    socket.read = (size?: number) => {
      const chunk = read(size) as Buffer | null;
      if (chunk === null) return null;
      const declared = watch.feed(chunk);
      if (declared === null) return chunk;
      refused += 1;
      options.log?.warn(
        { bytes: declared, remote: socket.remoteAddress },
        "broker: oversized packet refused, connection closed",
      );
      socket.destroy();
      return null;
    };
    aedes.handle(socket);
  });
  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    // Its heartbeat timer would keep the process alive.
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("broker: no TCP address");
  const port = address.port;
  options.log?.info({ host, port }, "broker: listening");
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
    },
  };
}
