import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { journalText } from "../helpers/journal-files.js";
import { listDocument } from "../helpers/store-fixture.js";
import { mountTmpfs, type Tmpfs } from "../helpers/tmpfs.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const BIN = join(import.meta.dirname, "../../bin/quan.js");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000, stackable: true }];
const codes = ["CODE-A1", "CODE-A2", "CODE-A3", "CODE-A4"].map((code) => ({ code, campaign: "cash" }));

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});

async function importList(data?: string) {
  const signed = await signList(ws, listDocument(campaigns, codes));
  const dataArgs = data ? ["--data", data] : [];
  expect((await quan(["coupons", "import", signed, "--config", ws.config, ...dataArgs], {}, NOW)).code).toBe(
    0,
  );
}

const redeemArgs = (code: string, ...more: string[]) => ["redeem", "--code", code, "--amount", "50", ...more];

/** Runs the built CLI; `closeStdout` closes the reading end of its stdout at once (`| head -0`). */
function spawnQuan(args: string[], closeStdout = false): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    // The test runner's own QUAN_* variables would read as config overrides.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("QUAN_")));
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    if (closeStdout) child.stdout.destroy();
    else child.stdout.resume();
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, err }));
  });
}

describe("a closed stdout (quan ... | head -1)", () => {
  it("redeem commits, exits 0 and prints no stack trace", async () => {
    await importList();
    const run = await spawnQuan([...redeemArgs("CODE-A1"), "--config", ws.config], true);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(journalText(ws.data)).toContain('"code":"CODE-A1"');
  });

  it("doctor keeps its own exit code", async () => {
    await importList();
    const open = await spawnQuan(["doctor", "--config", ws.config]);
    const closed = await spawnQuan(["doctor", "--config", ws.config], true);
    expect(closed.err).toBe("");
    expect(closed.code).toBe(open.code);
  });
});

describe("a data directory in use", () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    holder?.kill("SIGKILL");
    holder = undefined;
  });

  /** Another process (the running terminal) holds the lock until `release()`. */
  async function holdLock() {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, "../runtime/store/fixtures/hold-lock.mjs"), ws.data],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    holder = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => String(d).includes("LOCKED") && resolve());
      child.on("exit", (code) => reject(new Error(`lock holder exited ${code}`)));
    });
    return child;
  }

  it("has its own exit code, named in the usage text", async () => {
    await importList();
    await holdLock();
    const run = await quan([...redeemArgs("CODE-A1"), "--config", ws.config], {}, NOW);
    expect(run).toMatchObject({ code: 4, err: expect.stringMatching(/in use by process \d+/) });
    expect((await quan(["void", "X", "--pin", "2468", "--config", ws.config], {}, NOW)).code).toBe(4);
    expect((await quan(["--help"])).out).toMatch(/4 data directory in use/);
  });

  it("redeem --wait waits for the lock, a bounded time", async () => {
    await importList();
    const child = await holdLock();
    const started = Date.now();
    const timedOut = await quan([...redeemArgs("CODE-A1"), "--wait", "0.6", "--config", ws.config], {}, NOW);
    expect(timedOut).toMatchObject({ code: 4, err: expect.stringMatching(/waited 0\.6 s/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);

    setTimeout(() => child.kill("SIGKILL"), 300);
    const waited = await quan([...redeemArgs("CODE-A1"), "--wait", "10", "--config", ws.config], {}, NOW);
    expect(waited).toMatchObject({ code: 0, out: expect.stringMatching(/committed: true/) });
    expect(
      (await quan(["redeem", "--wait", "x", "--code", "CODE-A2", "--amount", "1", "--config", ws.config]))
        .code,
    ).toBe(2);
  });
});

const mounted = mountTmpfs(256);
const tmpfs = "dir" in mounted ? mounted : null;
afterAll(() => tmpfs?.unmount());

describe.skipIf(!tmpfs)(
  `redeem on a full disk${tmpfs ? "" : ` (skipped: ${(mounted as { unavailable: string }).unavailable})`}`,
  () => {
    it("room for the journal but not the counters checkpoint: committed, exit 0, warned, lock released", async () => {
      const disk = tmpfs as Tmpfs;
      const data = join(disk.dir, "data");
      await importList(data);
      expect(
        (await quan([...redeemArgs("CODE-A1"), "--config", ws.config, "--data", data], {}, NOW)).code,
      ).toBe(0);
      disk.fill(1); // one page left: the lock file takes it; the journal's last page has room

      const run = await quan(
        [...redeemArgs("CODE-A2"), "--config", ws.config, "--data", data],
        {},
        NOW + 1000,
      );
      expect(run.out).toMatch(/committed: true/);
      expect(run.err).toMatch(/counters checkpoint.*ENOSPC/);
      expect(run.code).toBe(0);
      expect(existsSync(join(data, "lock"))).toBe(false);

      disk.free();
      const again = await quan(
        [...redeemArgs("CODE-A2"), "--config", ws.config, "--data", data],
        {},
        NOW + 2000,
      );
      expect(again.code).toBe(3);
      const next = await quan(
        [...redeemArgs("CODE-A3"), "--config", ws.config, "--data", data],
        {},
        NOW + 3000,
      );
      expect(next).toMatchObject({ code: 0, err: "" });
      const checkpoints = readdirSync(join(data, "ledger")).filter((f) => f.startsWith("checkpoint-"));
      expect(
        JSON.parse(readFileSync(join(data, "ledger", checkpoints.sort().at(-1) as string), "utf8")).position
          .seq,
      ).toBe(3);
      disk.free();
    });
  },
);
