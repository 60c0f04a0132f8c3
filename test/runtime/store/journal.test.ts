import { copyFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { RedeemEntry } from "../../../src/runtime/ledger/records.js";
import {
  GENESIS_HASH,
  Journal,
  JournalCorruptError,
  readJournal,
  verifyJournal,
} from "../../../src/runtime/store/journal.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "quan-journal-"));
});

const entry = (i: number, code = `CODE-${i}`): RedeemEntry => ({
  type: "redeem",
  id: `R${String(i).padStart(4, "0")}`,
  at: new Date(Date.UTC(2026, 2, 4, 4, 0, i)).toISOString(),
  terminal: "T1",
  store: "S1",
  cashier: "李雷",
  currency: "CNY",
  amount: 12850,
  discount: 2570,
  payable: 10280,
  lines: [{ code, campaign: "pct20", discount: 2570 }],
  listVersion: 3,
});

function journalWith(n: number): string {
  const path = join(dir, "journal.log");
  const { journal } = Journal.open(path);
  for (let i = 1; i <= n; i++) journal.append(entry(i));
  journal.close();
  return path;
}

describe("the journal", () => {
  it("chains every record to the one before and numbers them without gaps", () => {
    const path = journalWith(3);
    const { records, torn } = readJournal(path);
    expect(torn).toBeNull();
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[0]?.prev).toBe(GENESIS_HASH);
    expect(records[1]?.prev).toBe(records[0]?.hash);
    expect(records[2]?.prev).toBe(records[1]?.hash);
    expect(records[1]).toMatchObject(entry(2));
  });

  it("continues the chain after a reopen", () => {
    const path = journalWith(2);
    const opened = Journal.open(path);
    expect(opened.records).toHaveLength(2);
    const third = opened.journal.append(entry(3));
    opened.journal.close();
    expect(third).toMatchObject({ seq: 3, prev: opened.records[1]?.hash });
    expect(verifyJournal(path)).toMatchObject({ ok: true, records: 3, lastHash: third.hash });
  });

  it("writes one line per record, readable text with its checksum", () => {
    const path = journalWith(2);
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(lines[0]).toMatch(
      /^\{"seq":1,"prev":"0{64}","type":"redeem".*"cashier":"李雷".*\}\t[0-9a-f]{64}$/,
    );
  });

  it("refuses appends after a failed write until reopened", () => {
    const path = journalWith(1);
    const { journal } = Journal.open(path);
    journal.close();
    expect(() => journal.append(entry(2))).toThrow(/closed/);
  });
});

describe("a torn last record (power cut mid-write)", () => {
  it("is cut away at every byte offset of the last record, and the journal goes on", () => {
    const path = journalWith(4);
    const full = readFileSync(path);
    const lastStart = full.lastIndexOf(0x0a, full.length - 2) + 1;
    const before = readJournal(path).records;
    let cases = 0;
    // Every cut from "nothing of record 4 written" to "all but its final newline".
    for (let cut = lastStart + 1; cut < full.length; cut++) {
      const copy = join(dir, `torn-${cut}.log`);
      copyFileSync(path, copy);
      truncateSync(copy, cut);
      const opened = Journal.open(copy);
      expect(opened.records, `cut at ${cut}`).toEqual(before.slice(0, 3));
      expect(opened.recovered).toMatchObject({ offset: lastStart, droppedBytes: cut - lastStart });
      const next = opened.journal.append(entry(99));
      opened.journal.close();
      expect(next).toMatchObject({ seq: 4, prev: before[2]?.hash });
      expect(verifyJournal(copy)).toMatchObject({ ok: true, records: 4, torn: null });
      cases++;
    }
    expect(cases).toBe(full.length - lastStart - 1);
  });

  it("a last line of zeros (a filesystem that extended the file before the data) is torn too", () => {
    const path = journalWith(2);
    const size = readFileSync(path).length;
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.alloc(100), Buffer.from("\n")]));
    const opened = Journal.open(path);
    opened.journal.close();
    expect(opened.records).toHaveLength(2);
    expect(readFileSync(path).length).toBe(size);
  });

  it("verify reports a torn tail without changing the file", () => {
    const path = journalWith(2);
    const bytes = readFileSync(path);
    truncateSync(path, bytes.length - 10);
    const after = readFileSync(path);
    expect(verifyJournal(path)).toMatchObject({
      ok: true,
      records: 1,
      torn: { droppedBytes: expect.any(Number) },
    });
    expect(readFileSync(path).equals(after)).toBe(true);
  });
});

describe("damage before the last record stops the start, and changes nothing", () => {
  const damaged = (mutate: (lines: string[]) => string[]) => {
    const path = journalWith(4);
    const lines = readFileSync(path, "utf8").split("\n").slice(0, -1);
    writeFileSync(path, `${mutate(lines).join("\n")}\n`);
    const bytes = readFileSync(path);
    let error: unknown;
    try {
      Journal.open(path);
    } catch (err) {
      error = err;
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(error).toBeInstanceOf(JournalCorruptError);
    return error as JournalCorruptError;
  };

  it("a changed byte in a middle record", () => {
    const err = damaged((lines) =>
      lines.map((l, i) => (i === 1 ? l.replace('"amount":12850', '"amount":12950') : l)),
    );
    expect(err).toMatchObject({ line: 2, problem: "checksum mismatch" });
    expect(err.message).toMatch(/line 2 \(byte \d+\)/);
  });

  it("a record edited with a recomputed checksum breaks the chain", async () => {
    const { createHash } = await import("node:crypto");
    const err = damaged((lines) =>
      lines.map((l, i) => {
        if (i !== 1) return l;
        const json = l.slice(0, l.lastIndexOf("\t")).replace('"discount":2570', '"discount":9999');
        return `${json}\t${createHash("sha256").update(json).digest("hex")}`;
      }),
    );
    expect(err).toMatchObject({ line: 3, problem: expect.stringMatching(/hash chain is broken/) });
  });

  it("a deleted middle record", () => {
    expect(damaged((lines) => lines.filter((_, i) => i !== 1))).toMatchObject({
      line: 2,
      problem: expect.stringMatching(/expected record 2, found 3/),
    });
  });

  it("two records swapped", () => {
    expect(damaged((lines) => [lines[0], lines[2], lines[1], lines[3]] as string[])).toMatchObject({
      line: 2,
    });
  });

  it("journal verify reports the same without throwing", () => {
    const path = journalWith(3);
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.replace('"seq":2', '"seq":7'));
    expect(verifyJournal(path)).toMatchObject({ ok: false, line: 2, problem: "checksum mismatch" });
  });
});
