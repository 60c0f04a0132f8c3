import { createConnection } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../../src/runtime/config/load.js";
import type { ControlServer } from "../../../src/runtime/control/control-server.js";
import { controlSocketPath } from "../../../src/runtime/control/protocol.js";
import { silentLogger } from "../../../src/runtime/log.js";
import type { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import { openStoreFromConfig } from "../../../src/runtime/store/store-from-config.js";
import { type Workspace, workspace } from "../../helpers/cli-harness.js";
import { code, codes, controlServer, NOW, scan as scanOf, signedList } from "./control-fixture.js";

const BIG = 200_000;

let ws: Workspace;
let store: CouponStore;
let server: ControlServer;

beforeAll(async () => {
  ws = await workspace();
  store = openStoreFromConfig(loadConfigFile(ws.config, {}), silentLogger());
  store.importList(signedList(ws, 1, codes(0, 1000)), NOW);
  server = controlServer(ws, store);
  await server.start();
  bigRequest = `${JSON.stringify({ id: "big", command: "import-list", list: signedList(ws, 2, codes(1_000_000, BIG)) })}\n`;
});

afterAll(async () => {
  await server.stop();
  store.close();
});

let bigRequest = "";

const scan = (c: string) => scanOf(store, c);

describe("a live list swap under continuous scanning", () => {
  it(`keeps answering scans while ${BIG} codes are verified in a worker, then swaps at once`, async () => {
    const seen: { at: number; old: string; fresh: string }[] = [];
    const timer = setInterval(() => {
      seen.push({ at: performance.now(), old: scan(code(5)), fresh: scan(code(1_000_000 + BIG - 1)) });
    }, 2);
    const started = performance.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = createConnection(controlSocketPath(ws.data));
      let text = "";
      socket.on("data", (d) => {
        text += d.toString();
        if (text.includes("\n")) {
          socket.end();
          resolve(text);
        }
      });
      socket.on("error", reject);
      socket.write(bigRequest);
    });
    const took = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
    clearInterval(timer);

    expect(JSON.parse(answer)).toMatchObject({
      id: "big",
      ok: true,
      result: { status: "imported", version: 2, codes: BIG },
    });
    // Every verdict came from one whole list: the old one until the swap, the new one after, never a mix.
    const states = seen.map((s) => `${s.old}/${s.fresh}`);
    const swapAt = states.indexOf("unknown/accepted");
    expect(swapAt).toBeGreaterThan(0);
    expect(states.slice(0, swapAt).every((s) => s === "accepted/unknown")).toBe(true);
    expect(states.slice(swapAt).every((s) => s === "unknown/accepted")).toBe(true);
    const gaps = seen.slice(1).map((s, i) => s.at - (seen[i] as { at: number }).at);
    const longest = Math.max(...gaps);
    console.log(
      `live swap of ${BIG} codes: ${Math.round(took)} ms from request to answer, ${seen.length} scans answered meanwhile, longest gap between answered scans ${longest.toFixed(1)} ms`,
    );
    // The target is 50 ms on an idle machine; the tests share a loaded one.
    expect(longest).toBeLessThan(150);
  }, 60_000);
});
