import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import type { RedeemEntry } from "../../../../src/protocol/journal/index.js";
import { ulid } from "../../../../src/runtime/ids.js";
import { silentLogger } from "../../../../src/runtime/log.js";
import { listCheckpoints } from "../../../../src/runtime/store/ledger/checkpoint.js";
import { Ledger, type LedgerOptions } from "../../../../src/runtime/store/ledger/ledger.js";
import { SegmentedJournal } from "../../../../src/runtime/store/ledger/segments.js";

const T0 = Date.parse("2026-03-04T04:00:00Z");
/** Codes one redemption uses: enough that building them into a table takes far longer than 20 ms. */
const WIDE = 30_000;

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function redeem(at: number, codes: string[]): RedeemEntry {
  return {
    type: "redeem",
    id: ulid(at),
    at: new Date(at).toISOString(),
    terminal: "T1",
    store: "S1",
    cashier: "a",
    currency: "CNY",
    amount: 10_000,
    discount: 100,
    payable: 9900,
    lines: codes.map((code) => ({ code, campaign: "c", discount: 0 })),
    listVersion: 1,
  };
}

const wideCodes = (prefix: string) =>
  Array.from({ length: WIDE }, (_, i) => `${prefix}-${String(i).padStart(6, "0")}`);

function open(extra: Partial<LedgerOptions> = {}): Ledger {
  return Ledger.open({ dataDir: dir, terminal: "T1", voidWindowMs: 60_000, log: silentLogger(), ...extra })
    .ledger;
}

/** Runs `commit` and returns its time beyond the journal's own write + fdatasync. */
function beyondAppend(commit: () => void): number {
  const append = SegmentedJournal.prototype.append;
  let appendMs = 0;
  SegmentedJournal.prototype.append = function (this: SegmentedJournal, e) {
    const t = performance.now();
    try {
      return append.call(this, e);
    } finally {
      appendMs = performance.now() - t;
    }
  };
  try {
    const t = performance.now();
    commit();
    return performance.now() - t - appendMs;
  } finally {
    SegmentedJournal.prototype.append = append;
  }
}

describe("counters checkpoints off the commit path", () => {
  it("the commit that is due for a checkpoint returns without building the counters' tables, and nothing is lost", async () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open({ checkpointEvery: 2 });
    ledger.commit(redeem(T0, wideCodes("A")));
    // The second commit is due for a checkpoint of 30,000 changed counters.
    const ms = beyondAppend(() => ledger.commit(redeem(T0 + 1000, ["B-1"])));
    expect(ms).toBeLessThan(50);
    // While the tables are built in the background, every change is seen.
    expect(ledger.usage.codeUses.get("A-000000")).toBe(1);
    expect(ledger.usage.codeUses.get(`A-${String(WIDE - 1).padStart(6, "0")}`)).toBe(1);
    expect(ledger.usage.codeUses.get("B-1")).toBe(1);
    ledger.commit(redeem(T0 + 2000, ["A-000007"]));
    expect(ledger.usage.codeUses.get("A-000007")).toBe(2);

    // The event loop turns while the checkpoint is built and written: no long block.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    await ledger.settle();
    loop.disable();
    // Generous: other test files share the two cores; building the tables in one go took 141 ms
    // for these 30,000 counters, and the commit itself is held to 50 ms above.
    expect(loop.max / 1e6).toBeLessThan(100);
    expect(listCheckpoints(join(dir, "ledger"))[0]).toBe("checkpoint-000000000002.json");

    // A power cut now (no close): the next start reads the checkpoint and the record after it.
    const again = open({ checkpointEvery: 2 });
    expect(again.usage.codeUses.get("A-000000")).toBe(1);
    expect(again.usage.codeUses.get("A-000007")).toBe(2);
    expect(again.usage.codeUses.get("B-1")).toBe(1);
    expect(again.redemptions).toBe(3);
    again.close();
    ledger.close();
  });

  it("a checkpoint is written every interval when there were commits, and not when there were none", async () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open({ checkpointIntervalMs: 50 });
    const ledgerDir = join(dir, "ledger");
    await new Promise((r) => setTimeout(r, 200));
    expect(listCheckpoints(ledgerDir)).toEqual([]);
    ledger.commit(redeem(T0, ["A-1"]));
    ledger.commit(redeem(T0 + 1000, ["A-2"]));
    const deadline = Date.now() + 5000;
    while (listCheckpoints(ledgerDir).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await ledger.settle();
    expect(listCheckpoints(ledgerDir)).toEqual(["checkpoint-000000000002.json"]);
    await new Promise((r) => setTimeout(r, 200));
    await ledger.settle();
    expect(listCheckpoints(ledgerDir)).toEqual(["checkpoint-000000000002.json"]);

    // A power cut (no close): the start needs no replay of those commits.
    const again = open();
    expect(again.usage.codeUses.get("A-2")).toBe(1);
    expect(again.redemptions).toBe(2);
    again.close();
    ledger.close();
  });
});

describe("counters tables read after the start", () => {
  /** A ledger with used codes checkpointed into table files, closed. */
  function usedLedger(): string[] {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open();
    ledger.commit(redeem(T0, wideCodes("A").slice(0, 500)));
    ledger.close();
    return readdirSync(join(dir, "ledger")).filter((f) => f.startsWith("codes-") && f.endsWith(".run"));
  }

  it("a start does not read the tables; they are read and checked after it, and lookups see them", async () => {
    const [table] = usedLedger();
    const ledger = open();
    const run = ledger.usage.codes.runs.find((r) => r.file === table)?.run;
    expect(run?.onDisk).toBe(true);
    await ledger.settle();
    expect(run?.onDisk).toBe(false);
    expect(ledger.usage.codeUses.get("A-000499")).toBe(1);
    expect(ledger.usage.codeUses.get("A-000500")).toBeUndefined();
    ledger.close();
  });

  it("a bit flipped in a table: found after the start, the codes it holds are never taken as unused, the next start rebuilds them", async () => {
    const [table] = usedLedger();
    const path = join(dir, "ledger", table as string);
    const bytes = readFileSync(path);
    bytes[bytes.length - 30] = (bytes[bytes.length - 30] as number) ^ 0x04;
    writeFileSync(path, bytes);

    const ledger = open();
    expect(() => ledger.usage.codeUses.get("A-000001")).toThrow(/counters table .* is damaged: checksum/);
    await ledger.settle();
    expect(listCheckpoints(join(dir, "ledger"))).toEqual([]);
    ledger.close();

    const again = open();
    expect(again.usage.codeUses.get("A-000001")).toBe(1);
    expect(again.usage.codeUses.get("A-000499")).toBe(1);
    await again.settle();
    again.close();
  });

  it("the same found by the start's replay: the start rebuilds the counters from the journal", () => {
    const [table] = usedLedger();
    const ledger = open();
    ledger.commit(redeem(T0 + 1000, ["A-000003"]));
    // A power cut: no close, so the next start replays that record, looking up A-000003.
    const path = join(dir, "ledger", table as string);
    const bytes = readFileSync(path);
    bytes[bytes.length - 30] = (bytes[bytes.length - 30] as number) ^ 0x04;
    writeFileSync(path, bytes);
    const again = open();
    expect(again.usage.codeUses.get("A-000003")).toBe(2);
    expect(again.usage.codeUses.get("A-000499")).toBe(1);
    again.close();
    ledger.close();
  });
});
