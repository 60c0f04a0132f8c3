import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { entryOf, type RedeemEntry, type VoidEntry } from "../../../../src/protocol/journal/index.js";
import { ulid } from "../../../../src/runtime/ids.js";
import {
  applyEntry,
  emptyUsage,
  memberKey,
  tokenKey,
  type UsageState,
} from "../../../../src/runtime/ledger/usage.js";
import { silentLogger } from "../../../../src/runtime/log.js";
import { Ledger, type LedgerOptions } from "../../../../src/runtime/store/ledger/ledger.js";
import { journalRecords } from "../../../helpers/journal-files.js";

// What a start trusts besides the journal: the checkpoint and its table files. Whatever happens
// to them on disk, the counters a start builds must be the fold of the journal, or the start must
// refuse with a clear error; never silently other counters.

const T0 = Date.parse("2026-03-04T04:00:00Z");
const CODES = 12;
const code = (i: number) => `K-${String(i).padStart(3, "0")}`;
const MEMBER = "member-hash-1";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function options(more: Partial<LedgerOptions> = {}): LedgerOptions {
  return {
    dataDir: dir,
    terminal: "T1",
    voidWindowMs: 30 * 60_000,
    log: silentLogger(),
    checkpointEvery: 5,
    segmentBytes: 1500,
    ...more,
  };
}

function redeem(i: number, at: number, extra: Partial<RedeemEntry> = {}): RedeemEntry {
  return {
    type: "redeem",
    id: ulid(at),
    at: new Date(at).toISOString(),
    terminal: "T1",
    store: "S1",
    cashier: "k",
    currency: "CNY",
    amount: 5000,
    discount: 100,
    payable: 4900,
    lines: [{ code: code(i % CODES), campaign: i % 2 ? "odd" : "even", discount: 100 }],
    ...(i % 3 === 0 ? { member: MEMBER } : {}),
    listVersion: 1,
    ...extra,
  };
}

const voidOf = (target: RedeemEntry, at: number): VoidEntry => ({
  type: "void",
  id: ulid(at),
  target: target.id,
  at: new Date(at).toISOString(),
  terminal: "T1",
  cashier: "k",
});

/** Commits `n` redemptions from `from` on, one a second, voiding every fifth; returns them. */
function trade(ledger: Ledger, from: number, n: number): RedeemEntry[] {
  const done: RedeemEntry[] = [];
  for (let i = from; i < from + n; i++) {
    const e = redeem(i, T0 + i * 1000);
    ledger.commit(e);
    done.push(e);
    if (i % 5 === 4) ledger.commit(voidOf(e, T0 + i * 1000 + 1));
  }
  return done;
}

function foldAll(): { usage: UsageState; redemptions: number } {
  const usage = emptyUsage();
  const byId = new Map<string, RedeemEntry>();
  let redemptions = 0;
  for (const r of journalRecords(dir)) {
    const e = entryOf(r);
    if (e.type === "redeem") {
      byId.set(e.id, e);
      redemptions++;
    }
    applyEntry(usage, e, r.seq, (id) => byId.get(id));
  }
  return { usage, redemptions };
}

function expectFold(ledger: Ledger): void {
  const { usage, redemptions } = foldAll();
  expect(ledger.redemptions).toBe(redemptions);
  for (let i = 0; i < CODES; i++) {
    expect(ledger.usage.codeUses.get(code(i)), code(i)).toBe(usage.codeUses.get(code(i)));
    expect(ledger.usage.lastUse.get(code(i)), code(i)).toEqual(usage.lastUse.get(code(i)));
  }
  for (const c of ["odd", "even"]) {
    expect(ledger.usage.campaignUses.get(c), c).toBe(usage.campaignUses.get(c));
    expect(ledger.usage.memberUses.get(memberKey(c, MEMBER)), c).toBe(
      usage.memberUses.get(memberKey(c, MEMBER)),
    );
  }
}

const ledgerDir = () => join(dir, "ledger");
const checkpoints = () =>
  readdirSync(ledgerDir())
    .filter((f) => f.startsWith("checkpoint-"))
    .sort();

function open(more: Partial<LedgerOptions> = {}): Ledger {
  return Ledger.open(options(more)).ledger;
}

describe("checkpoint trust", () => {
  it("a checkpoint with one flipped digit (an SD card bit error) is not trusted as the counters", () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open();
    trade(ledger, 0, 23);
    ledger.close();
    const name = checkpoints().at(-1) as string;
    const path = join(ledgerDir(), name);
    const text = readFileSync(path, "utf8");
    // "campaigns":[["even",N],...]: one bit of N's last digit (0x32 <-> 0x33 and the like).
    const at = text.indexOf("]", text.indexOf('"campaigns":[[')) - 1;
    expect(text[at]).toMatch(/\d/);
    const flipped = text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1);
    writeFileSync(path, flipped);

    const reopened = open();
    expectFold(reopened);
    reopened.close();
  });

  it("the newest checkpoint truncated, an older one still there: the counters are the journal's fold", () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const first = open();
    trade(first, 0, 17);
    first.close();
    const older = mkdtempSync(join(tmpdir(), "quan-ledger-older-"));
    cpSync(ledgerDir(), older, { recursive: true });
    const second = open();
    trade(second, 17, 19);
    second.close();
    // A crash between writing the newest checkpoint and removing the older one left both.
    cpSync(older, ledgerDir(), { recursive: true, force: false });
    rmSync(older, { recursive: true });
    expect(checkpoints().length).toBe(2);
    const newest = join(ledgerDir(), checkpoints().at(-1) as string);
    truncateSync(newest, Math.floor(readFileSync(newest).length / 2));

    const reopened = open();
    expectFold(reopened);
    // And it goes on trading on top of them.
    trade(reopened, 36, 7);
    reopened.close();
    const again = open();
    expectFold(again);
    again.close();
  });

  it("a table file of the checkpoint missing or damaged: the counters are rebuilt, not guessed", () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open();
    trade(ledger, 0, 31);
    ledger.close();
    const runs = readdirSync(ledgerDir()).filter((f) => f.endsWith(".run"));
    expect(runs.length).toBeGreaterThan(1);
    rmSync(join(ledgerDir(), runs[0] as string));
    const damaged = join(ledgerDir(), runs[1] as string);
    const bytes = readFileSync(damaged);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
    writeFileSync(damaged, bytes);
    const reopened = open();
    expectFold(reopened);
    reopened.close();
  });

  it("the checkpoint deleted: rebuilt from the whole journal", () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open();
    trade(ledger, 0, 29);
    ledger.close();
    rmSync(ledgerDir(), { recursive: true });
    const reopened = open();
    expectFold(reopened);
    reopened.close();
  });

  it("a checkpoint newer than the journal (its last records lost): the start is refused, naming both", () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open();
    trade(ledger, 0, 20);
    ledger.close();
    const segments = readdirSync(join(dir, "journal")).filter((f) => f.endsWith(".log"));
    rmSync(join(dir, "journal", segments.sort().at(-1) as string));
    expect(() => open()).toThrow(
      /ends before record \d+, which the counters checkpoint checkpoint-\d+\.json says was committed/,
    );
  });
});

describe("counters that must hold across restarts and merges", () => {
  it("a spent TOTP token stays spent after its redemption is voided, across restarts and merges", () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const step = Math.floor(T0 / 30_000);
    const ledger = open({ checkpointEvery: 1, fanOut: 2 });
    const e = redeem(1, T0, {
      lines: [{ code: "DYN-1", campaign: "dyn", discount: 100, otpStep: step }],
    });
    ledger.commit(e);
    ledger.commit(voidOf(e, T0 + 1000));
    trade(ledger, 2, 20);
    ledger.close();
    const reopened = open({ checkpointEvery: 1, fanOut: 2 });
    expect(reopened.usage.usedTokens.has(tokenKey("DYN-1", step))).toBe(true);
    expect(reopened.usage.codeUses.get("DYN-1")).toBeUndefined();
    expect(reopened.redemption(e.id)?.voided).toBe(true);
    reopened.close();
  });

  // Spent tokens are pruned 7 days before the earlier of the newest record's time and the clock:
  // one record dated days ahead must not make a merge forget tokens the corrected clock accepts.
  it("a spent token is kept while the clock can still accept it, even after a record dated days ahead", async () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open({ checkpointEvery: 1, fanOut: 2 });
    // A terminal whose clock was once 8 days ahead (not synchronised, set wrong by hand) wrote
    // one redemption then; its clock is set right again and trading goes on at T0.
    ledger.commit(redeem(1, T0 + 8 * 24 * 3_600_000));
    const step = Math.floor(T0 / 30_000);
    ledger.commit(
      redeem(2, T0, { lines: [{ code: "DYN-1", campaign: "dyn", discount: 100, otpStep: step }] }),
    );
    for (let i = 3; i < 40; i++) {
      const at = T0 + i * 1000;
      const otpStep = Math.floor(at / 30_000);
      ledger.commit(
        redeem(i, at, { lines: [{ code: `DYN-${i}`, campaign: "dyn", discount: 100, otpStep }] }),
      );
      await ledger.settle();
    }
    // 40 s later the same token (step ±1 is accepted) is presented again: it must read as spent.
    expect(ledger.usage.usedTokens.has(tokenKey("DYN-1", step))).toBe(true);
    ledger.close();
  });

  it("an old redemption voided after a restart is restored once, and reads as voided after the next", () => {
    dir = mkdtempSync(join(tmpdir(), "quan-ledger-"));
    const ledger = open();
    const old = redeem(3, T0);
    ledger.commit(old);
    // Two hours of trading: it leaves the redemptions kept in RAM at the next checkpoints.
    for (let i = 0; i < 20; i++) ledger.commit(redeem(i + 4, T0 + 2 * 3_600_000 + i * 1000));
    ledger.close();
    const reopened = open();
    const before = reopened.usage.codeUses.get(old.lines[0]?.code as string) ?? 0;
    expect(reopened.redemption(old.id)).toMatchObject({ voided: false });
    reopened.commit(voidOf(old, T0 + 2 * 3_600_000 + 30_000));
    expect(reopened.usage.codeUses.get(old.lines[0]?.code as string) ?? 0).toBe(before - 1);
    for (let i = 0; i < 10; i++) reopened.commit(redeem(i + 30, T0 + 3 * 3_600_000 + i * 1000));
    reopened.close();
    const third = open();
    // What the store checks before it lets a void be committed.
    expect(third.redemption(old.id)).toMatchObject({ voided: true });
    expectFold(third);
    third.close();
  });
});
