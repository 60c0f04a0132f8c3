import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../../src/runtime/config/schema.js";
import { runTerminal } from "../../src/runtime/terminal.js";
import { journalRecords } from "../helpers/journal-files.js";
import { makeStore, type StoreFixture } from "../helpers/store-fixture.js";
import { XtermTty } from "../ui-tty/xterm-tty.js";
import { CAMPAIGNS, CODES, MEMBER_SALT, NOW } from "./flow/flow-harness.js";

/**
 * The whole terminal (`quan start`): the real store on disk, the console input reading a stdin
 * stream, the screens painted into a terminal emulator. Bytes go in as one read each, the way a
 * scanner's burst or a person's key reaches the process.
 */
let fx: StoreFixture | null = null;
afterEach(() => fx?.cleanup());

const settle = () => new Promise((r) => setTimeout(r, 30));

async function startTerminal() {
  fx = makeStore(CAMPAIGNS, [...CODES, { code: "S000123", campaign: "cash10" }], {
    extra: { memberSalt: MEMBER_SALT },
  });
  fx.store.close();
  const config = configSchema.parse({
    terminal: { id: "T1", store: "S1", storeName: "小店", cashier: "alice" },
    merchant: { id: "m-test", publicKey: fx.keys.publicKey },
    dataDir: fx.dir,
    void: { windowMinutes: 30, managerPin: fx.options.managerPinHash },
    printer: { kind: "file", dir: "receipts" },
    log: { level: "silent" },
  });
  const stdin = new PassThrough();
  const tty = new XtermTty(40, 15);
  let exitCode: number | null = null;
  const done = runTerminal(config, {
    io: { env: {}, now: () => NOW, clockSynchronized: () => false },
    input: stdin as unknown as NodeJS.ReadStream,
    output: tty as unknown as NodeJS.WriteStream,
  }).then((code) => {
    exitCode = code;
    return code;
  });
  await settle();
  const journal = () => journalRecords(fx?.dir as string);
  const send = async (...reads: string[]) => {
    for (const read of reads) {
      stdin.write(read);
      await settle();
    }
  };
  const screen = async () => {
    await new Promise<void>((r) => tty.term.write("", r));
    return tty.screen().join("\n");
  };
  return { send, journal, screen, done, running: () => exitCode === null };
}

describe("quan start: a scan is only a scan", () => {
  it("one burst 'X\\r1\\rS000123\\r\\r' commits nothing; the terminal keeps running and serving", async () => {
    const t = await startTerminal();
    await t.send("X\r1\rS000123\r\r");
    expect(t.journal()).toEqual([]);
    expect(t.running()).toBe(true);
    // The cashier still works: a bill typed key by key, a real scan, Enter.
    await t.send("\u001b", "5", "0", "\r", "S000123\r", "\r");
    expect(t.journal()).toHaveLength(1);
    expect(await t.screen()).toContain("核销成功");
    await t.send("\u0003");
    expect(await t.done).toBe(0);
  });

  it("a Ctrl-C or ESC inside a scan neither stops the terminal nor cancels the sale; a lone Ctrl-C stops it", async () => {
    const t = await startTerminal();
    await t.send("5", "0", "\r", "S000123\r");
    await t.send("8800\u00030001\r", "6600\u001b0001\r");
    expect(t.running()).toBe(true);
    const screen = await t.screen();
    expect(screen).toMatch(/OK S000123/);
    expect(screen).toContain("可核销");
    await t.send("\r");
    expect(t.journal()).toHaveLength(1);
    await t.send("\u0003");
    expect(await t.done).toBe(0);
    expect(t.running()).toBe(false);
  });

  it("'50.00' and Enter arriving in one read (a paste, a fast keypad) is the bill", async () => {
    const t = await startTerminal();
    await t.send("50.00\r");
    const screen = await t.screen();
    expect(screen).toMatch(/金额 +￥50\.00/);
    expect(screen).not.toContain("不是券码");
    await t.send("\u0003");
    await t.done;
  });

  it("a code typed letter by letter on the keyboard shows as it is typed", async () => {
    const t = await startTerminal();
    await t.send("S", "0", "0");
    expect(await t.screen()).toMatch(/券码 +S00_/);
    await t.send("\u007f");
    expect(await t.screen()).toMatch(/券码 +S0_/);
    await t.send("\u001b");
    expect(await t.screen()).not.toContain("券码");
    await t.send("\u0003");
    await t.done;
  });
});
