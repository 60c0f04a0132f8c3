import { chmodSync, lstatSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { CouponListError } from "../../protocol/coupon-list/index.js";
import type { Logger } from "../log.js";
import type { CouponStore } from "../store/coupon-store.js";
import { ListCache, type PreparedList } from "../store/list-cache/list-cache.js";
import { joinBlocks, LineBlocks } from "./line-blocks.js";
import type { PreparedOutcome, PrepareTask } from "./list-prepare.js";
import { prepareListInWorker, WorkerTimeoutError } from "./list-worker-run.js";
import {
  type ControlResponse,
  decodeRequest,
  encodeResponse,
  errorResponse,
  MAX_REQUEST_BYTES,
  RequestError,
  SMALL_REQUEST_BYTES,
} from "./protocol.js";

/** What the control server needs of the store it hands work to. */
export type ListOwner = Pick<CouponStore, "listImportTarget" | "commitPreparedList">;

export interface ControlServerOptions {
  socketPath: string;
  store: ListOwner;
  /** The pinned merchant whose signature a list must carry. */
  merchant: { id: string; publicKey: string };
  log: Logger;
  now: () => number;
  /** A list taking longer to verify is refused (the worker is stopped). */
  verifyTimeoutMs?: number;
  /** A connection silent for this long is closed. */
  idleTimeoutMs?: number;
  /** The longest request line read (default MAX_REQUEST_BYTES: any envelope the terminal reads). */
  maxRequestBytes?: number;
}

const SETTLE_MS = 2000;

/**
 * The daemon's control channel (see protocol.ts): a unix socket in the data directory, mode 0600,
 * on which other processes hand the daemon work for the store it owns. Verifying a list and
 * building its table (the store's heavy step) runs in a worker thread; the commit (rename, swap)
 * happens here, in one synchronous step. Until then the old list serves, and a refused list
 * leaves it serving.
 */
export class ControlServer {
  private server: Server | null = null;
  private socketIno: number | null = null;
  private readonly connections = new Set<Socket>();
  /** Imports run one at a time: each is prepared against the list in force. */
  private imports: Promise<unknown> = Promise.resolve();
  private readonly stopping = new AbortController();

  constructor(private readonly opts: ControlServerOptions) {}

  async start(): Promise<void> {
    const path = this.opts.socketPath;
    await this.removeStaleSocket();
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = 16;
    // The socket file is created by listen(): no moment at which another user could connect.
    const umask = process.umask(0o177);
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(path, () => {
            server.off("error", reject);
            resolve();
          });
        }),
        SETTLE_MS,
        `listening on ${path}`,
      );
    } finally {
      process.umask(umask);
    }
    server.on("error", (err) => this.opts.log.error({ err }, "control socket failed"));
    chmodSync(path, 0o600);
    this.socketIno = lstatSync(path).ino;
    this.server = server;
    this.opts.log.info({ socket: path }, "control socket listening");
  }

  /** Refuses new work, drops open connections, stops a running verification, removes the socket. */
  async stop(): Promise<void> {
    this.stopping.abort();
    const server = this.server;
    this.server = null;
    for (const socket of this.connections) socket.destroy();
    if (server) {
      await withTimeout(
        new Promise<void>((resolve) => server.close(() => resolve())),
        SETTLE_MS,
        "closing the control socket",
      ).catch((err: Error) => this.opts.log.warn({ err }, err.message));
    }
    this.removeOwnSocket();
  }

  private accept(socket: Socket): void {
    if (this.stopping.signal.aborted) {
      socket.destroy();
      return;
    }
    this.connections.add(socket);
    socket.on("close", () => this.connections.delete(socket));
    socket.on("error", (err) => this.opts.log.debug({ err }, "control connection error"));
    const idleMs = this.opts.idleTimeoutMs ?? 30_000;
    socket.on("timeout", () => {
      this.reply(socket, errorResponse(null, { code: "timeout", message: "no complete request in time" }));
      socket.end(() => socket.destroy());
    });
    socket.setTimeout(idleMs);
    const pending = new LineBlocks();
    const onData = (data: Buffer) => {
      let rest = data;
      const nl = rest.indexOf(10);
      if (nl !== -1) {
        pending.append(rest.subarray(0, nl));
        const line = pending.take();
        rest = rest.subarray(nl + 1);
        // One request at a time per connection: the rest waits, in the socket, until it is answered.
        // The client is silent meanwhile, which is not idleness.
        socket.pause();
        socket.setTimeout(0);
        void this.answer(line).then((response) => {
          this.reply(socket, response);
          socket.setTimeout(idleMs);
          if (rest.length > 0) onData(rest);
          else socket.resume();
        });
        return;
      }
      const limit = this.opts.maxRequestBytes ?? MAX_REQUEST_BYTES;
      if (pending.length + rest.length > limit) {
        socket.off("data", onData);
        this.reply(
          socket,
          errorResponse(null, {
            code: "too_large",
            message: `request larger than ${limit} bytes, the most the terminal reads`,
          }),
        );
        socket.end(() => socket.destroy());
        return;
      }
      pending.append(rest);
    };
    socket.on("data", onData);
  }

  private reply(socket: Socket, response: ControlResponse): void {
    if (!socket.destroyed && socket.writable) socket.write(encodeResponse(response));
  }

  /** Never rejects: every failure becomes an error response (and a log line when it is ours). */
  private async answer(blocks: Uint8Array[]): Promise<ControlResponse> {
    try {
      const length = blocks.reduce((n, b) => n + b.length, 0);
      if (length > SMALL_REQUEST_BYTES) return await this.importList({ blocks });
      const line = joinBlocks(blocks);
      const request = decodeRequest(Buffer.from(line.buffer, line.byteOffset, line.length).toString("utf8"));
      return await this.importList({ id: request.id, list: request.list });
    } catch (err) {
      if (err instanceof RequestError) return errorResponse(err.id, { code: err.code, message: err.message });
      this.opts.log.error({ err }, "control request failed");
      return errorResponse(null, { code: "unavailable", message: (err as Error).message });
    }
  }

  private importList(request: PrepareTask["request"]): Promise<ControlResponse> {
    const next = this.imports.then(() => this.importNow(request));
    this.imports = next.catch(() => undefined);
    return next;
  }

  private async importNow(request: PrepareTask["request"]): Promise<ControlResponse> {
    const id = "id" in request ? request.id : null;
    if (this.stopping.signal.aborted)
      return errorResponse(id, { code: "unavailable", message: "the terminal is stopping" });
    const { store } = this.opts;
    let outcome: PreparedOutcome;
    try {
      outcome = await prepareListInWorker(
        { request, target: store.listImportTarget() },
        this.opts.verifyTimeoutMs ?? 120_000,
        this.stopping.signal,
      );
    } catch (err) {
      this.opts.log.error({ err }, "verifying a list failed");
      const code = err instanceof WorkerTimeoutError ? "timeout" : "unavailable";
      return errorResponse(id, { code, message: `the list was not verified: ${(err as Error).message}` });
    }
    if (outcome.kind === "error") return errorResponse(outcome.id, outcome.error);
    return this.commit(outcome.id, outcome.prepared);
  }

  /** The cheap step, on this thread: the old list serves until the store swaps in the new one. */
  private commit(id: string | null, prepared: PreparedList): ControlResponse {
    if (this.stopping.signal.aborted) {
      ListCache.discard(prepared);
      return errorResponse(id, { code: "unavailable", message: "the terminal is stopping" });
    }
    try {
      return { id, ok: true, result: this.opts.store.commitPreparedList(prepared, this.opts.now()) };
    } catch (err) {
      // The store has removed the prepared files.
      if (err instanceof CouponListError)
        return errorResponse(id, { code: "refused", problem: err.problem, message: err.message });
      this.opts.log.error({ err }, "installing a verified list failed; the list in force still serves");
      return errorResponse(id, { code: "unavailable", message: (err as Error).message });
    }
  }

  /**
   * A socket file left by a daemon that was killed (no one answers on it) is removed; one that
   * answers belongs to a running daemon, and anything that is not a socket is not ours to delete.
   */
  private async removeStaleSocket(): Promise<void> {
    const path = this.opts.socketPath;
    let isSocket: boolean;
    try {
      isSocket = lstatSync(path).isSocket();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    if (!isSocket)
      throw new Error(`${path} exists and is not a socket: move it away, the control socket goes there`);
    const answered = await new Promise<boolean>((resolve, reject) => {
      const probe = createConnection(path);
      const timer = setTimeout(() => {
        probe.destroy();
        resolve(true);
      }, SETTLE_MS);
      probe.once("connect", () => {
        clearTimeout(timer);
        probe.destroy();
        resolve(true);
      });
      probe.once("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err.code === "ECONNREFUSED") resolve(false);
        else reject(err);
      });
    });
    if (answered) throw new Error(`another process is listening on ${path}: is a second terminal running?`);
    rmSync(path, { force: true });
    this.opts.log.warn(
      { socket: path },
      "removed a stale control socket left by a terminal that did not stop cleanly",
    );
  }

  private removeOwnSocket(): void {
    if (this.socketIno === null) return;
    try {
      if (lstatSync(this.opts.socketPath).ino === this.socketIno)
        rmSync(this.opts.socketPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        this.opts.log.warn({ err }, "could not remove the control socket");
    }
    this.socketIno = null;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
