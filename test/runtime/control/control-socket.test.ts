import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateMerchantKeys } from "../../../src/protocol/envelope/index.js";
import { loadConfigFile } from "../../../src/runtime/config/load.js";
import type { ControlServer } from "../../../src/runtime/control/control-server.js";
import { controlSocketPath } from "../../../src/runtime/control/protocol.js";
import { silentLogger } from "../../../src/runtime/log.js";
import type { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import { openStoreFromConfig } from "../../../src/runtime/store/store-from-config.js";
import { quan, type Workspace, workspace } from "../../helpers/cli-harness.js";
import { listCacheSnapshot } from "../../helpers/store-fixture.js";
import {
  code,
  codes,
  controlServer,
  NOW,
  scan as scanOf,
  signedList as signedBy,
} from "./control-fixture.js";

let ws: Workspace;
let store: CouponStore;
let server: ControlServer;

function writeList(name: string, text: string): string {
  const file = join(ws.dir, name);
  writeFileSync(file, text);
  return file;
}

const signedList = (version: number, listCodes: ReturnType<typeof codes>, key?: string) =>
  signedBy(ws, version, listCodes, key);
const scan = (c: string) => scanOf(store, c);

/** One raw request line (or bytes) on the socket; resolves with the answer lines and whether it was closed. */
function rawRequest(
  bytes: string | Buffer,
): Promise<{ answers: Record<string, unknown>[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlSocketPath(ws.data));
    let text = "";
    socket.on("data", (d) => {
      text += d.toString();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      // The server may close while a too large request is still being written.
      if (err.code !== "EPIPE" && err.code !== "ECONNRESET") reject(err);
    });
    socket.on("close", () =>
      resolve({
        answers: text
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
        closed: true,
      }),
    );
    socket.write(bytes);
    setTimeout(() => socket.end(), 300);
  });
}

beforeEach(async () => {
  ws = await workspace();
  const config = loadConfigFile(ws.config, {});
  // The daemon's side: the store opened for writing (it holds the data-dir lock) and its control socket.
  store = openStoreFromConfig(config, silentLogger());
  store.importList(signedList(1, codes(0, 10)), NOW);
  server = controlServer(ws, store, { maxRequestBytes: 1024 * 1024 });
  await server.start();
});

afterEach(async () => {
  await server.stop();
  store.close();
});

describe("quan coupons import while the terminal runs", () => {
  it("hands the list to the running terminal, which applies it; the CLI exits 0", async () => {
    const file = writeList("v2.json", signedList(2, codes(100, 20)));
    const r = await quan(["coupons", "import", file, "--config", ws.config], {}, NOW);
    expect(r).toMatchObject({ code: 0, out: "imported version 2: 20 codes\n" });
    expect(store.index()?.version).toBe(2);
    expect(scan(code(100))).toBe("accepted");
    expect(scan(code(0))).toBe("unknown");
    // On disk too: a restart serves version 2.
    const reopened = openStoreFromConfig(loadConfigFile(ws.config, {}), silentLogger(), "read-only");
    try {
      expect(reopened.index()?.version).toBe(2);
      expect(scanOf(reopened, code(100))).toBe("accepted");
    } finally {
      reopened.close();
    }
    const again = await quan(["coupons", "import", file, "--config", ws.config], {}, NOW);
    expect(again).toMatchObject({ code: 0, out: "version 2 is already in force\n" });
  });

  it("refuses a forged list with exit 3, and the list in force keeps serving", async () => {
    const cacheBefore = listCacheSnapshot(ws.data);
    const forged = writeList(
      "forged.json",
      signedList(2, codes(100, 20), generateMerchantKeys().privateKeyPem),
    );
    const r = await quan(["coupons", "import", forged, "--config", ws.config], {}, NOW);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/forged\.json: coupon list refused: .*signature/);
    expect(store.index()?.version).toBe(1);
    expect(scan(code(0))).toBe("accepted");
    expect(listCacheSnapshot(ws.data)).toBe(cacheBefore);
    const stale = writeList("v1-again.json", signedList(1, codes(500, 3)));
    expect(await quan(["coupons", "import", stale, "--config", ws.config], {}, NOW)).toMatchObject({
      code: 3,
      err: expect.stringMatching(/version 1 is not newer than version 1 in force/),
    });
  });

  it("opens the store itself when no terminal runs", async () => {
    await server.stop();
    store.close();
    const file = writeList("v2.json", signedList(2, codes(100, 5)));
    expect(await quan(["coupons", "import", file, "--config", ws.config], {}, NOW)).toMatchObject({
      code: 0,
      out: "imported version 2: 5 codes\n",
    });
    store = openStoreFromConfig(loadConfigFile(ws.config, {}), silentLogger());
    expect(store.index()?.version).toBe(2);
  });
});

describe("the control socket", () => {
  it("is private to the terminal's user and removed when the terminal stops", async () => {
    const path = controlSocketPath(ws.data);
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await server.stop();
    expect(existsSync(path)).toBe(false);
  });

  it("answers hostile requests with a clear error and keeps serving", async () => {
    const malformed = await rawRequest("{not json\n");
    expect(malformed.answers[0]).toMatchObject({ ok: false, error: { code: "malformed" } });
    const noId = await rawRequest(`${JSON.stringify({ command: "import-list", list: "x" })}\n`);
    expect(noId.answers[0]).toMatchObject({ ok: false, error: { code: "malformed", message: /"id"/ } });
    const unknown = await rawRequest(`${JSON.stringify({ id: "9", command: "format-disk" })}\n`);
    expect(unknown.answers[0]).toMatchObject({ id: "9", ok: false, error: { code: "unknown_command" } });
    const notUtf8 = await rawRequest(Buffer.concat([Buffer.alloc(70_000, 0xff), Buffer.from("\n")]));
    expect(notUtf8.answers[0]).toMatchObject({ ok: false, error: { code: "malformed" } });
    // A line longer than the limit is refused before it is read to its end, and the connection closed.
    const huge = await rawRequest(Buffer.alloc(3 * 1024 * 1024, "a"));
    expect(huge).toMatchObject({ closed: true, answers: [{ ok: false, error: { code: "too_large" } }] });
    // Still serving.
    const file = writeList("v2.json", signedList(2, codes(100, 2)));
    expect((await quan(["coupons", "import", file, "--config", ws.config], {}, NOW)).code).toBe(0);
    expect(store.index()?.version).toBe(2);
  });

  it("replaces a stale socket file left by a killed terminal, but not a live one nor a plain file", async () => {
    await server.stop();
    const path = controlSocketPath(ws.data);
    // A process listening on the socket, killed with SIGKILL: its socket file stays behind.
    const child = spawn(process.execPath, [
      "-e",
      `require("net").createServer().listen(${JSON.stringify(path)}, () => console.log("up"))`,
    ]);
    await new Promise((resolve) => child.stdout.once("data", resolve));
    const live = controlServer(ws, store);
    await expect(live.start()).rejects.toThrow(/another process is listening/);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(statSync(path).isSocket()).toBe(true);
    server = controlServer(ws, store);
    await server.start();
    const file = writeList("v2.json", signedList(2, codes(100, 2)));
    expect((await quan(["coupons", "import", file, "--config", ws.config], {}, NOW)).code).toBe(0);
    await server.stop();
    writeFileSync(path, "not a socket");
    const blocked = controlServer(ws, store);
    await expect(blocked.start()).rejects.toThrow(/is not a socket/);
    expect(readFileSync(path, "utf8")).toBe("not a socket");
  });
});
