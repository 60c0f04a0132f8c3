import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import type { InputEvent } from "../../../src/drivers/input/input-source.js";
import { type HidDevice, HidInput } from "../../../src/drivers/keypad/hid-input.js";
import { newlyPressed } from "../../../src/drivers/keypad/hid-usages.js";
import { silentLogger } from "../../../src/runtime/log.js";

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The edge of the machine: a USB device that is not there, sending boot-keyboard reports. */
class FakeHid extends EventEmitter implements HidDevice {
  closed = false;
  close(): void {
    this.closed = true;
  }
  /** Press and release each usage in turn, as a keypad or a scanner does. */
  type(usages: number[], modifiers = 0): void {
    for (const u of usages) {
      this.emit("data", Buffer.of(modifiers, 0, u, 0, 0, 0, 0, 0));
      this.emit("data", Buffer.alloc(8));
    }
  }
}

let input: HidInput | null = null;
afterEach(() => input?.stop());

async function connected(role: "keypad" | "scanner", devices: FakeHid[], opens: { n: number } = { n: 0 }) {
  const events: InputEvent[] = [];
  const states: string[] = [];
  input = new HidInput({
    path: "/dev/hidraw-test",
    role,
    log: silentLogger(),
    retryMs: { first: 10, max: 20 },
    onState: (s) => states.push(s),
    open: async () => {
      const device = devices[opens.n++];
      if (!device) throw new Error("ENOENT: no such device");
      return device;
    },
  });
  input.start((e) => events.push(e));
  if (devices.length > 0) await until(() => states.includes("connected"), "the device to connect");
  return { events, states };
}

describe("HID boot-keyboard reports", () => {
  it("are key state: only keys that were not down before are new", () => {
    expect(newlyPressed(Buffer.alloc(8), Buffer.of(0, 0, 0x59, 0, 0, 0, 0, 0))).toEqual([0x59]);
    expect(
      newlyPressed(Buffer.of(0, 0, 0x59, 0, 0, 0, 0, 0), Buffer.of(0, 0, 0x59, 0x5a, 0, 0, 0, 0)),
    ).toEqual([0x5a]);
    expect(newlyPressed(Buffer.alloc(8), Buffer.of(0, 0, 1, 1, 1, 1, 1, 1))).toEqual([]); // rollover error
  });
});

describe("a USB numeric keypad", () => {
  it("gives the keymap's key names, held keys counted once", async () => {
    const pad = new FakeHid();
    const { events } = await connected("keypad", [pad]);
    pad.type([0x59, 0x5a, 0x63, 0x62, 0x58, 0x56, 0x55, 0x54, 0x57, 0x2a, 0x53]);
    pad.emit("data", Buffer.of(0, 0, 0x5b, 0, 0, 0, 0, 0));
    pad.emit("data", Buffer.of(0, 0, 0x5b, 0, 0, 0, 0, 0)); // still held
    expect(events.map((e) => (e.type === "key" ? e.key : e.text))).toEqual([
      "1",
      "2",
      ".",
      "0",
      "Enter",
      "-",
      "*",
      "/",
      "+",
      "Backspace",
      "NumLock",
      "3",
    ]);
  });

  it("comes back after an unplug (a read error) without a restart", async () => {
    const first = new FakeHid();
    const second = new FakeHid();
    const { events, states } = await connected("keypad", [first, second]);
    first.emit("error", new Error("could not read from HID device"));
    expect(first.closed).toBe(true);
    await until(() => states.length === 3, "the reconnect");
    expect(states).toEqual(["connected", "disconnected", "connected"]);
    second.type([0x61]);
    expect(events).toEqual([{ type: "key", key: "9" }]);
  });

  it("keeps trying while the keypad is not plugged in", async () => {
    const late = new FakeHid();
    const devices: FakeHid[] = [];
    const opens = { n: 0 };
    const { states } = await connected("keypad", devices, opens);
    await new Promise((r) => setTimeout(r, 40));
    expect(states).toEqual([]);
    devices[opens.n] = late;
    await until(() => states.length > 0, "the late keypad to connect");
    expect(states).toEqual(["connected"]);
  });
});

describe("a keyboard-wedge barcode scanner", () => {
  it("turns the characters up to Enter into one scan, shift and AIM prefix included", async () => {
    const scanner = new FakeHid();
    const { events } = await connected("scanner", [scanner]);
    // "]Q1" then "Ab-1" then "*" and "12" then Enter
    scanner.type([0x30]);
    scanner.type([0x14], 0x02);
    scanner.type([0x1e]);
    scanner.type([0x04], 0x02);
    scanner.type([0x05, 0x2d, 0x1e]);
    scanner.type([0x25], 0x02);
    scanner.type([0x1e, 0x1f, 0x28]);
    expect(events).toEqual([{ type: "scan", text: "Ab-1*12" }]);
  });

  it("refuses a whole scan with Escape or a Ctrl chord in it, and the next scan still works", async () => {
    const scanner = new FakeHid();
    const { events } = await connected("scanner", [scanner]);
    scanner.type([0x1e, 0x29, 0x1f, 0x28]); // 1 Esc 2 Enter
    scanner.type([0x1e]);
    scanner.type([0x06], 0x01); // Ctrl-C
    scanner.type([0x1f, 0x28]);
    scanner.type([0x1e, 0x1f, 0x20, 0x21, 0x28]);
    expect(events).toEqual([{ type: "scan", text: "1234" }]);
  });
});
