import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { journalRecords } from "../helpers/journal-files.js";
import { listDocument } from "../helpers/store-fixture.js";

const BIN = join(import.meta.dirname, "../../bin/quan.js");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000 }];
const codes = [{ code: "MULTI-1", campaign: "cash", uses: 5 }];

let ws: Workspace;
let signed: string;
beforeEach(async () => {
  ws = await workspace();
  signed = await signList(ws, listDocument(campaigns, codes));
});

/** Runs the built CLI with its stdout on /dev/full (`quan ... > /dev/full`): every write fails with ENOSPC. */
function toDevFull(args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("QUAN_")));
    const full = openSync("/dev/full", "w");
    const child = spawn(process.execPath, [BIN, ...args, "--config", ws.config], {
      stdio: ["ignore", full, "pipe"],
      env,
    });
    closeSync(full);
    let err = "";
    child.stderr?.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, err }));
  });
}

const journal = () => journalRecords(ws.data);

function oneLine(err: string): void {
  expect(err.trim().split("\n"), err).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at /);
}

describe.skipIf(!existsSync("/dev/full"))("stdout that cannot be written (> /dev/full)", () => {
  it("after a commit: one line on stderr, and the exit code stays the commit's (a script must not retry)", async () => {
    const imported = await toDevFull(["coupons", "import", signed]);
    expect(imported.code).toBe(0);
    oneLine(imported.err);
    expect(imported.err).toMatch(/could not write the output.*committed: do not run it again/);

    const redeemed = await toDevFull(["redeem", "--code", "MULTI-1", "--amount", "50"]);
    expect(redeemed.code).toBe(0);
    oneLine(redeemed.err);
    expect(redeemed.err).toMatch(/ENOSPC/);
    expect(redeemed.err).toMatch(/committed/);
    expect(journal()).toHaveLength(1);

    const id = journal()[0]?.id as string;
    const voided = await toDevFull(["void", id, "--pin", "2468"]);
    expect(voided.code).toBe(0);
    oneLine(voided.err);
    expect(journal()).toHaveLength(2);
  });

  it("a read-only command: one line on stderr and exit 1", async () => {
    await quan(["coupons", "import", signed, "--config", ws.config]);
    for (const args of [["journal", "export"], ["doctor"]]) {
      const r = await toDevFull(args);
      expect(r.code, args.join(" ")).toBe(1);
      oneLine(r.err);
      expect(r.err).toMatch(/could not write the output.*ENOSPC/);
    }
  });
});
