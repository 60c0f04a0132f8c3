import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../../src/runtime/config/load.js";
import type { ControlServer } from "../../../src/runtime/control/control-server.js";
import { controlSocketPath } from "../../../src/runtime/control/protocol.js";
import { silentLogger } from "../../../src/runtime/log.js";
import type { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import { TABLE_FILE } from "../../../src/runtime/store/list-cache/list-cache.js";
import { openStoreFromConfig } from "../../../src/runtime/store/store-from-config.js";
import { type Workspace, workspace } from "../../helpers/cli-harness.js";
import { code, codes, controlServer, NOW, scan as scanOf, signedList } from "./control-fixture.js";

const BIG = 200_000;
const MILLION = 1_000_000;

let ws: Workspace;
let store: CouponStore;
let server: ControlServer;
/** How long each commit step (on the thread that answers scans) took. */
const commits: number[] = [];

beforeAll(async () => {
  ws = await workspace();
  store = openStoreFromConfig(loadConfigFile(ws.config, {}), silentLogger());
  store.importList(signedList(ws, 1, codes(0, 1000)), NOW);
  server = controlServer(ws, store, {
    store: {
      listImportTarget: () => store.listImportTarget(),
      commitPreparedList: (prepared, now) => {
        const started = performance.now();
        try {
          return store.commitPreparedList(prepared, now);
        } finally {
          commits.push(performance.now() - started);
        }
      },
    },
  });
  await server.start();
});

afterAll(async () => {
  await server.stop();
  store.close();
});

const scan = (c: string) => scanOf(store, c);

/**
 * Hands `request` to the running terminal over its socket while a scan of `before` (in the list
 * in force) and of `after` (only in the new list) is answered every 2 ms.
 */
async function swapUnderScanning(request: string, before: string, after: string) {
  const seen: { at: number; old: string; fresh: string }[] = [];
  const timer = setInterval(() => {
    seen.push({ at: performance.now(), old: scan(before), fresh: scan(after) });
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
    socket.write(request);
  });
  const took = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(timer);
  const gaps = seen.slice(1).map((s, i) => s.at - (seen[i] as { at: number }).at);
  return { answer: JSON.parse(answer), seen, took, longest: Math.max(...gaps) };
}

/** Every verdict came from one whole list: the old one until the swap, the new one after, never a mix. */
function expectOneWholeListAtATime(seen: { old: string; fresh: string }[]): void {
  const states = seen.map((s) => `${s.old}/${s.fresh}`);
  const swapAt = states.indexOf("unknown/accepted");
  expect(swapAt).toBeGreaterThan(0);
  expect(states.slice(0, swapAt).every((s) => s === "accepted/unknown")).toBe(true);
  expect(states.slice(swapAt).every((s) => s === "unknown/accepted")).toBe(true);
}

describe("a live list swap under continuous scanning", () => {
  it(`keeps answering scans while ${BIG} codes are verified in a worker, then swaps at once`, async () => {
    const request = `${JSON.stringify({ id: "big", command: "import-list", list: signedList(ws, 2, codes(1_000_000, BIG)) })}\n`;
    const { answer, seen, took, longest } = await swapUnderScanning(
      request,
      code(5),
      code(1_000_000 + BIG - 1),
    );
    expect(answer).toMatchObject({
      id: "big",
      ok: true,
      result: { status: "imported", version: 2, codes: BIG },
    });
    expectOneWholeListAtATime(seen);
    console.log(
      `live swap of ${BIG} codes: ${Math.round(took)} ms from request to answer, ${seen.length} scans answered meanwhile, longest gap between answered scans ${longest.toFixed(1)} ms`,
    );
    // The target is 50 ms on an idle machine; the tests share a loaded one.
    expect(longest).toBeLessThan(150);
  }, 60_000);

  it(`swaps ${MILLION.toLocaleString("en")} codes with a commit step far cheaper than reading the table once`, async () => {
    const request = `${JSON.stringify({ id: "million", command: "import-list", list: signedList(ws, 3, codes(3_000_000, MILLION)) })}\n`;
    const { answer, seen, took, longest } = await swapUnderScanning(
      request,
      code(1_000_000),
      code(3_000_000 + MILLION - 1),
    );
    expect(answer).toMatchObject({
      id: "million",
      ok: true,
      result: { status: "imported", version: 3, codes: MILLION },
    });
    expectOneWholeListAtATime(seen);
    const commitMs = commits[commits.length - 1] as number;
    // Baseline in the same run: what re-reading and re-hashing the new table would cost this thread.
    const started = performance.now();
    createHash("sha256")
      .update(readFileSync(join(ws.data, "list", TABLE_FILE)))
      .digest();
    const rereadMs = performance.now() - started;
    console.log(
      `live swap of ${MILLION} codes: ${Math.round(took)} ms from request to answer, ${seen.length} scans answered meanwhile, longest gap between answered scans ${longest.toFixed(1)} ms; commit step ${commitMs.toFixed(1)} ms vs ${rereadMs.toFixed(1)} ms to read and hash the table`,
    );
    // The commit step does renames and fsyncs only: the worker's table is served as it came.
    expect(commitMs).toBeLessThan(rereadMs / 2);
    expect(commitMs).toBeLessThan(50);
    expect(longest).toBeLessThan(150);
  }, 120_000);
});
