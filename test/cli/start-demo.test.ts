import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeEscPos } from "../helpers/escpos-decode.js";

/**
 * `npm start` driven as a person would: in a real pseudo-terminal (tmux), typing on the keyboard,
 * reading what the screen shows.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const SOCKET = `quan-test-${process.pid}`;
const SESSION = "demo";
const demoDir = mkdtempSync(join(tmpdir(), "quan-demo-"));

const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", SESSION);
const keys = (...k: string[]) => tmux("send-keys", "-t", SESSION, ...k);
/** A person types one key at a time (a burst ending in Enter is what a scanner sends). */
async function type(...k: string[]): Promise<void> {
  for (const key of k) {
    keys(key);
    await new Promise((r) => setTimeout(r, 40));
  }
}

async function waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = screen();
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`screen never showed ${pattern}; it shows:\n${last}`);
}

afterAll(() => {
  try {
    tmux("kill-server");
  } catch {
    // the server is already gone when the terminal exited by itself
  }
});

describe("npm start", () => {
  it("redeems a demo code, refuses it the second time, and writes the receipt", async () => {
    tmux(
      "new-session",
      "-d",
      "-s",
      SESSION,
      "-x",
      "100",
      "-y",
      "30",
      `cd '${ROOT}' && QUAN_DEMO_DIR='${demoDir}' npm start --silent; echo "EXITED $?"; sleep 60`,
    );
    const banner = await waitFor(/Press Enter to start/, 120_000);
    expect(banner).toMatch(/88000001 +8折，可叠加/);
    keys("Enter");
    await waitFor(/请输入金额或扫码/);

    await type("1", "2", "8", ".", "5", "Enter");
    await waitFor(/金额 +￥128\.50/);
    keys("88000001", "Enter"); // one burst ending in Enter: a scan
    const verdict = await waitFor(/可核销/);
    expect(verdict).toMatch(/OK 88000001 .*-￥25\.70/);
    expect(verdict).toMatch(/应付 +￥102\.80/);
    keys("Enter");
    const approved = await waitFor(/核销成功/);
    const id = /单号 +([0-9A-Z]{26})/.exec(approved)?.[1];
    expect(id).toBeDefined();

    keys("Enter");
    await waitFor(/请输入金额或扫码/);
    await type("5", "0", "Enter");
    await waitFor(/金额 +￥50\.00/);
    keys("88000001", "Enter");
    const refused = await waitFor(/不可核销：已使用/);
    expect(refused).toMatch(/88000001 +已使用/);
    expect(refused).toMatch(/优惠 +￥0\.00/);
    expect(refused).not.toContain("-￥0.00");

    keys("C-c");
    await waitFor(/EXITED 0/);

    const receipts = readdirSync(join(demoDir, "receipts"));
    expect(receipts.filter((f) => f.endsWith(".bin"))).toHaveLength(1);
    const bin = receipts.find((f) => f.endsWith(".bin")) as string;
    const printed = decodeEscPos(readFileSync(join(demoDir, "receipts", bin)));
    expect(printed.lines.join("\n")).toMatch(/实付 +￥102\.80/);
    expect(printed.qr).toEqual([id]);
    expect(printed.cut).toBe(true);
    expect(readFileSync(join(demoDir, "receipts", bin.replace(/\.bin$/, ".txt")), "utf8")).toContain(
      id as string,
    );
    const journal = readFileSync(join(demoDir, "data", "journal.log"), "utf8");
    expect(journal.trim().split("\n")).toHaveLength(1);
    expect(journal).toContain(id as string);
  }, 180_000);
});
