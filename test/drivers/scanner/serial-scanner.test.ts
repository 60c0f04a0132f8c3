import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { InputEvent } from "../../../src/drivers/input/input-source.js";
import { SerialScanner } from "../../../src/drivers/scanner/serial-scanner.js";
import { silentLogger } from "../../../src/runtime/log.js";
import { PtyDevice } from "../../helpers/pty-device.js";

/** A serial scanner simulated by a pseudo-terminal: we type on the device side, the driver reads `scanner`. */
const dir = mkdtempSync(join(tmpdir(), "quan-serial-"));
const scannerPath = join(dir, "scanner");
let device: PtyDevice | null = null;
let scanner: SerialScanner | null = null;

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function plugIn(): Promise<void> {
  device = await PtyDevice.plugIn(scannerPath);
}

async function unplug(): Promise<void> {
  const d = device;
  device = null;
  await d?.unplug();
}

function scan(text: string): void {
  if (!device) throw new Error("no scanner plugged in");
  device.send(text);
}

afterEach(async () => {
  scanner?.stop();
  await unplug();
});

describe("a serial scanner (pseudo-terminal)", () => {
  it("delivers each scan, whatever its line ending and AIM prefix, and comes back after an unplug", async () => {
    await plugIn();
    const events: InputEvent[] = [];
    const states: string[] = [];
    scanner = new SerialScanner({
      path: scannerPath,
      baudRate: 9600,
      log: silentLogger(),
      retryMs: { first: 50, max: 200 },
      onState: (s) => states.push(s),
    });
    scanner.start((e) => events.push(e));
    await until(() => states.includes("connected"), "the scanner to connect");

    scan("]Q188000001\r\n");
    scan("6901234567892\r");
    scan("ABCD-0001\n");
    await until(() => events.length === 3, "three scans");
    expect(events).toEqual([
      { type: "scan", text: "88000001" },
      { type: "scan", text: "6901234567892" },
      { type: "scan", text: "ABCD-0001" },
    ]);

    await unplug();
    await until(() => states.includes("disconnected"), "the unplug to be noticed");
    await plugIn();
    await until(() => states.filter((s) => s === "connected").length === 2, "the scanner to reconnect");
    scan("66000001\r\n");
    await until(() => events.length === 4, "a scan after the reconnect");
    expect(events[3]).toEqual({ type: "scan", text: "66000001" });
  }, 20_000);

  it("keeps retrying while the scanner is absent at start", async () => {
    const states: string[] = [];
    scanner = new SerialScanner({
      path: scannerPath,
      baudRate: 9600,
      log: silentLogger(),
      retryMs: { first: 50, max: 100 },
      onState: (s) => states.push(s),
    });
    scanner.start(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(states).toEqual([]);
    await plugIn();
    await until(() => states.includes("connected"), "the late scanner to connect");
  }, 10_000);
});
