import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeEscPos } from "../helpers/escpos-decode.js";
import { journalText } from "../helpers/journal-files.js";
import { freePort } from "../helpers/link-rig.js";
import { KEY, PtyTerminal } from "../helpers/pty-terminal.js";

/**
 * `npm start` driven as a person would: in a real pseudo-terminal (node-pty), typing on the
 * keyboard, reading what the screen shows (xterm headless).
 */
const ROOT = resolve(import.meta.dirname, "../..");
const demoDir = mkdtempSync(join(tmpdir(), "quan-demo-"));
let terminal: PtyTerminal | null = null;
let second: PtyTerminal | null = null;
let port = 0;

beforeAll(async () => {
  port = await freePort();
});

afterAll(async () => {
  await second?.kill();
  await terminal?.kill();
});

const demoEnv = () => ({ ...process.env, QUAN_DEMO_DIR: demoDir, QUAN_DEMO_PORT: String(port) });

describe("npm start", () => {
  it("redeems a demo code, refuses it the second time, and writes the receipt", async () => {
    const t = new PtyTerminal("npm", ["start", "--silent"], {
      cwd: ROOT,
      env: demoEnv(),
      cols: 100,
      rows: 30,
    });
    terminal = t;
    const banner = await t.waitFor(/Press Enter to start/, 120_000);
    expect(banner).toMatch(/88000001 +8折，可叠加/);
    t.send(KEY.enter);
    await t.waitFor(/请输入金额或扫码/);

    await t.type("1", "2", "8", ".", "5", KEY.enter);
    await t.waitFor(/金额 +￥128\.50/);
    t.send(`88000001${KEY.enter}`); // one burst ending in Enter: a scan
    const verdict = await t.waitFor(/可核销/);
    expect(verdict).toMatch(/OK 88000001 .*-￥25\.70/);
    expect(verdict).toMatch(/应付 +￥102\.80/);
    t.send(KEY.enter);
    const approved = await t.waitFor(/核销成功/);
    const id = /单号 +([0-9A-Z]{26})/.exec(approved)?.[1];
    expect(id).toBeDefined();

    t.send(KEY.enter);
    // Reported to the demo merchant over the embedded broker, and acknowledged.
    const idle = await t.waitFor(/待上传 +0 笔/, 20_000);
    expect(idle).toMatch(/网络 +在线/);
    await t.type("5", "0", KEY.enter);
    await t.waitFor(/金额 +￥50\.00/);
    t.send(`88000001${KEY.enter}`);
    const refused = await t.waitFor(/不可核销：已使用/);
    expect(refused).toMatch(/88000001 +已使用/);
    expect(refused).toMatch(/优惠 +￥0\.00/);
    expect(refused).not.toContain("-￥0.00");

    t.send(KEY.ctrlC);
    expect(await t.exited).toMatchObject({ exitCode: 0 });

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
    const journal = journalText(join(demoDir, "data"));
    expect(journal.trim().split("\n")).toHaveLength(1);
    expect(journal).toContain(id as string);
  }, 180_000);

  it("a second demo terminal (npm start -- --terminal 2) refuses a code the first one used, within a second", async () => {
    const first = new PtyTerminal("node", ["bin/quan.js", "start", "--demo"], {
      cwd: ROOT,
      env: demoEnv(),
      cols: 100,
      rows: 30,
    });
    terminal = first;
    await first.waitFor(/Press Enter to start/, 60_000);
    first.send(KEY.enter);
    await first.waitFor(/网络 +在线/, 20_000);
    const other = new PtyTerminal("node", ["bin/quan.js", "start", "--demo", "--terminal", "2"], {
      cwd: ROOT,
      env: demoEnv(),
      cols: 100,
      rows: 30,
    });
    second = other;
    await other.waitFor(/Press Enter to start/, 60_000);
    other.send(KEY.enter);
    await other.waitFor(/网络 +在线/, 20_000);

    await first.type("5", "0", KEY.enter);
    await first.waitFor(/金额 +￥50\.00/);
    first.send(`66000001${KEY.enter}`);
    await first.waitFor(/可核销/);
    first.send(KEY.enter);
    await first.waitFor(/核销成功/);
    const usedAt = Date.now();

    await new Promise((r) => setTimeout(r, 1000 - (Date.now() - usedAt)));
    await other.type("5", "0", KEY.enter);
    await other.waitFor(/金额 +￥50\.00/);
    other.send(`66000001${KEY.enter}`);
    const refused = await other.waitFor(/不可核销：已使用/);
    expect(refused).toContain("DEMO-01");

    other.send(KEY.ctrlC);
    expect(await other.exited).toMatchObject({ exitCode: 0 });
    first.send(KEY.ctrlC);
    expect(await first.exited).toMatchObject({ exitCode: 0 });
  }, 180_000);
});
