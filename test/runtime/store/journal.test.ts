import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RedeemEntry, VoidEntry } from "../../../src/protocol/journal/index.js";
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
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const redeem = (i: number): RedeemEntry => ({
  type: "redeem",
  id: `R${String(i).padStart(4, "0")}`,
  at: new Date(Date.UTC(2026, 2, 4, 4, 0, i)).toISOString(),
  terminal: "T1",
  store: "S1",
  // Multi-byte text, so truncation tests also cut inside a character.
  cashier: "李雷",
  currency: "CNY",
  amount: 12850,
  discount: 2570,
  payable: 10280,
  lines: [{ code: `CODE-${i}`, campaign: "pct20", discount: 2570 }],
  listVersion: 3,
});

const voidOf = (i: number, target: string): VoidEntry => ({
  type: "void",
  id: `V${i}`,
  target,
  at: new Date(Date.UTC(2026, 2, 4, 5, 0, i)).toISOString(),
  terminal: "T1",
  cashier: "韩梅梅",
  reason: "顾客退货",
});

function journalWith(n: number, name = "journal.log"): string {
  const path = join(dir, name);
  const { journal } = Journal.open(path);
  for (let i = 1; i <= n; i++) journal.append(redeem(i));
  journal.close();
  return path;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const flipBits = (bytes: Buffer, at: number, mask: number) =>
  bytes.writeUInt8(bytes.readUInt8(at) ^ mask, at);
const lineStarts = (bytes: Buffer) => {
  const starts = [0];
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  return starts;
};

describe("the journal", () => {
  it("creates the file on first open, empty", () => {
    const path = join(dir, "journal.log");
    const opened = Journal.open(path);
    opened.journal.close();
    expect(opened).toMatchObject({ records: [], recovered: null });
    expect(opened.journal.lastSeq).toBe(0);
    expect(opened.journal.lastHash).toBe(GENESIS_HASH);
    expect(readFileSync(path).length).toBe(0);
  });

  it("gives back what was appended, numbered without gaps and chained to the record before", () => {
    const path = join(dir, "journal.log");
    const { journal } = Journal.open(path);
    const appended = [
      journal.append(redeem(1)),
      journal.append(voidOf(2, "R0001")),
      journal.append(redeem(3)),
    ];
    journal.close();

    const { records } = Journal.open(path);
    expect(records).toEqual(appended);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records.map((r) => r.prev)).toEqual([GENESIS_HASH, appended[0]?.hash, appended[1]?.hash]);
    expect(records[1]).toMatchObject(voidOf(2, "R0001"));
    expect(records[2]).toMatchObject(redeem(3));
  });

  it("continues the chain after a reopen", () => {
    const path = journalWith(2);
    const opened = Journal.open(path);
    expect(opened.records).toHaveLength(2);
    expect(opened.journal.lastSeq).toBe(2);
    expect(opened.journal.lastHash).toBe(opened.records[1]?.hash);
    const third = opened.journal.append(redeem(3));
    opened.journal.close();
    expect(third).toMatchObject({ seq: 3, prev: opened.records[1]?.hash });
    expect(verifyJournal(path)).toEqual({ ok: true, records: 3, lastHash: third.hash, torn: null });
  });

  it("stores one readable line per record: JSON, a tab, the SHA-256 of exactly that JSON", () => {
    const path = journalWith(2);
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    for (const line of lines.slice(0, 2)) {
      const [json, hash] = line.split("\t") as [string, string];
      expect(hash).toBe(sha256(json));
      // Key order is fixed, so the stored text is exactly the serialisation of what it holds.
      expect(JSON.stringify(JSON.parse(json))).toBe(json);
    }
    expect(lines[0]).toMatch(/^\{"seq":1,"prev":"0{64}","type":"redeem","id":"R0001",.*"cashier":"李雷"/);
  });

  it("numbers and chains the records itself, whatever seq/prev/hash the entry carries", () => {
    const path = journalWith(1);
    const { journal, records } = Journal.open(path);
    const stray = { ...redeem(2), seq: 99, prev: "f".repeat(64), hash: "e".repeat(64) };
    const record = journal.append(stray);
    journal.close();
    expect(record).toMatchObject({ seq: 2, prev: records[0]?.hash });
    expect(record.hash).not.toBe("e".repeat(64));
    expect(verifyJournal(path)).toMatchObject({ ok: true, records: 2, lastHash: record.hash });
  });

  it("appends several entries with one call, chained like single appends", () => {
    const path = journalWith(1);
    const { journal } = Journal.open(path);
    expect(journal.appendMany([])).toEqual([]);
    const many = journal.appendMany([redeem(2), redeem(3), voidOf(4, "R0002")]);
    journal.close();
    expect(many.map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(readJournal(path).records.slice(1)).toEqual(many);
  });

  it("refuses appends once closed", () => {
    const { journal } = Journal.open(journalWith(1));
    journal.close();
    expect(() => journal.append(redeem(2))).toThrow(/closed/);
  });

  it("reads the same records whatever the read chunk size (lines spanning chunks)", () => {
    const path = journalWith(20);
    const whole = readJournal(path).records;
    for (const chunkSize of [1, 7, 64, 333, 4096]) {
      expect(readJournal(path, { chunkSize }).records, `chunk ${chunkSize}`).toEqual(whole);
    }
    truncateSync(path, readFileSync(path).length - 30);
    expect(readJournal(path, { chunkSize: 7 }).torn).toEqual(readJournal(path).torn);
  });

  it("reads a missing journal as empty without creating it", () => {
    const path = join(dir, "none.log");
    expect(readJournal(path)).toMatchObject({
      records: [],
      torn: null,
      validBytes: 0,
      missingNewline: false,
    });
    expect(verifyJournal(path)).toEqual({ ok: true, records: 0, lastHash: GENESIS_HASH, torn: null });
    expect(existsSync(path)).toBe(false);
  });
});

describe("a torn last record (power cut mid-write)", () => {
  it("is cut away at every byte offset of the last record short of its newline, kept in quarantine, and the journal goes on", () => {
    const n = 4;
    const path = journalWith(n);
    const full = readFileSync(path);
    const lastStart = lineStarts(full).at(-1) as number;
    const intact = readJournal(path).records.slice(0, n - 1);
    let cases = 0;
    // From "only the first byte of record N written" to "all of it but its last hash digit and newline".
    for (let cut = lastStart + 1; cut <= full.length - 2; cut++) {
      const copy = join(dir, `torn-${cut}.log`);
      copyFileSync(path, copy);
      truncateSync(copy, cut);

      const opened = Journal.open(copy);
      expect(opened.records, `cut at ${cut}`).toEqual(intact);
      expect(opened.recovered, `cut at ${cut}`).toMatchObject({
        offset: lastStart,
        droppedBytes: cut - lastStart,
        reason: expect.any(String),
      });
      expect(readFileSync(copy).length, `cut at ${cut}`).toBe(lastStart);
      const quarantine = opened.recovered?.quarantine as string;
      expect(readFileSync(quarantine).equals(full.subarray(lastStart, cut)), `cut at ${cut}`).toBe(true);
      rmSync(quarantine);
      const next = opened.journal.append(redeem(99));
      opened.journal.close();
      expect(next, `cut at ${cut}`).toMatchObject({ seq: n, prev: intact[n - 2]?.hash });
      expect(verifyJournal(copy), `cut at ${cut}`).toEqual({
        ok: true,
        records: n,
        lastHash: next.hash,
        torn: null,
      });
      rmSync(copy);
      cases++;
    }
    expect(cases).toBe(full.length - lastStart - 2);
  });

  it("a whole last record that only lost its newline was committed: it is kept and the newline put back", () => {
    const path = journalWith(3);
    const full = readFileSync(path);
    truncateSync(path, full.length - 1);
    expect(readJournal(path)).toMatchObject({
      torn: null,
      missingNewline: true,
      validBytes: full.length - 1,
    });
    expect(readJournal(path).records).toHaveLength(3);
    const opened = Journal.open(path);
    expect(opened).toMatchObject({ recovered: null, newlineRestored: true });
    expect(readFileSync(path).equals(full)).toBe(true);
    const next = opened.journal.append(redeem(4));
    opened.journal.close();
    expect(next).toMatchObject({ seq: 4, prev: opened.records[2]?.hash });
    expect(verifyJournal(path)).toMatchObject({ ok: true, records: 4 });
  });

  it("a torn last record that the caller knows was committed is damage: refused, file untouched", () => {
    const path = journalWith(3);
    const full = readFileSync(path);
    const lastStart = lineStarts(full).at(-1) as number;
    truncateSync(path, full.length - 4);
    const before = readFileSync(path);
    expect(() => Journal.open(path, { committed: { seq: 3, source: "the test" } })).toThrow(
      new RegExp(`line 3 \\(byte ${lastStart}\\).*the test says record 3 was committed`),
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}.torn-${lastStart}`)).toBe(false);
  });

  it("a cut exactly between records leaves nothing to recover", () => {
    const path = journalWith(3);
    truncateSync(path, lineStarts(readFileSync(path)).at(-1) as number);
    const opened = Journal.open(path);
    opened.journal.close();
    expect(opened.records).toHaveLength(2);
    expect(opened.recovered).toBeNull();
  });

  it("a complete last line with a bad checksum is torn too (sectors written out of order)", () => {
    const path = journalWith(3);
    const bytes = readFileSync(path);
    const lastStart = lineStarts(bytes).at(-1) as number;
    flipBits(bytes, lastStart + 20, 0x01);
    writeFileSync(path, bytes);
    const opened = Journal.open(path);
    opened.journal.close();
    expect(opened.records).toHaveLength(2);
    expect(opened.recovered).toMatchObject({ droppedBytes: bytes.length - lastStart, reason: /checksum/ });
  });

  it("a last line of zeros (the file grew before its data reached the disk) is torn too", () => {
    const path = journalWith(2);
    const size = readFileSync(path).length;
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.alloc(100)]));
    const opened = Journal.open(path);
    opened.journal.close();
    expect(opened.records).toHaveLength(2);
    expect(opened.recovered).toMatchObject({ offset: size, droppedBytes: 100 });
    expect(readFileSync(path).length).toBe(size);
  });

  it("a last line whose checksum matches but whose JSON does not parse is dropped, and said so", () => {
    const path = journalWith(2);
    const json = '{"seq":3,"prev":"x","type":"redeem"';
    writeFileSync(path, `${readFileSync(path, "utf8")}${json}\t${sha256(json)}\n`);
    const opened = Journal.open(path);
    opened.journal.close();
    expect(opened.records).toHaveLength(2);
    expect(opened.recovered?.reason).toMatch(/not JSON/);
  });

  it("verify reports a torn tail without changing the file", () => {
    const path = journalWith(2);
    truncateSync(path, readFileSync(path).length - 10);
    const before = readFileSync(path);
    expect(verifyJournal(path)).toMatchObject({
      ok: true,
      records: 1,
      torn: { droppedBytes: expect.any(Number) },
    });
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe("damage before the last record stops the start, and changes nothing", () => {
  /** Builds a 4-record journal, damages it, and returns what open threw (after checking the bytes). */
  const openDamaged = (damage: (bytes: Buffer, lines: string[]) => Buffer) => {
    const path = journalWith(4);
    const original = readFileSync(path);
    const lines = original.toString("utf8").split("\n").slice(0, -1);
    writeFileSync(path, damage(original, lines));
    const damaged = readFileSync(path);
    let error: unknown;
    try {
      Journal.open(path).journal.close();
    } catch (err) {
      error = err;
    }
    expect(readFileSync(path).equals(damaged), "the file must be left as it was").toBe(true);
    expect(error).toBeInstanceOf(JournalCorruptError);
    const corrupt = error as JournalCorruptError;
    expect(corrupt.path).toBe(path);
    expect(corrupt.message).toContain(path);
    expect(corrupt.message).toContain(`line ${corrupt.line} (byte ${corrupt.offset})`);
    expect(corrupt.offset).toBe(lineStarts(damaged)[corrupt.line - 1]);
    expect(verifyJournal(path)).toEqual({
      ok: false,
      line: corrupt.line,
      offset: corrupt.offset,
      problem: corrupt.problem,
    });
    return corrupt;
  };
  const joinLines = (lines: (string | undefined)[]) => Buffer.from(`${lines.join("\n")}\n`);

  it("a changed byte in a middle record", () => {
    const err = openDamaged((bytes) => {
      const copy = Buffer.from(bytes);
      flipBits(copy, lineStarts(copy)[1] as number, 0x20);
      return copy;
    });
    expect(err).toMatchObject({ line: 2, problem: "checksum mismatch" });
  });

  it("a changed byte in the first record", () => {
    const err = openDamaged((bytes) => {
      const copy = Buffer.from(bytes);
      flipBits(copy, 10, 0x01);
      return copy;
    });
    expect(err).toMatchObject({ line: 1, offset: 0, problem: "checksum mismatch" });
  });

  it("a record edited with a recomputed checksum breaks the chain at the next record", () => {
    const err = openDamaged((_, lines) =>
      joinLines(
        lines.map((line, i) => {
          if (i !== 1) return line;
          const json = line.slice(0, line.lastIndexOf("\t")).replace('"discount":2570', '"discount":9999');
          return `${json}\t${sha256(json)}`;
        }),
      ),
    );
    expect(err).toMatchObject({ line: 3, problem: expect.stringMatching(/hash chain is broken/) });
  });

  it("a deleted middle record", () => {
    const err = openDamaged((_, lines) => joinLines(lines.filter((_, i) => i !== 1)));
    expect(err).toMatchObject({ line: 2, problem: expect.stringMatching(/expected record 2, found 3/) });
  });

  it("two records swapped", () => {
    const err = openDamaged((_, lines) => joinLines([lines[0], lines[2], lines[1], lines[3]]));
    expect(err).toMatchObject({ line: 2, problem: expect.stringMatching(/expected record 2, found 3/) });
  });

  it("the last two records swapped (complete lines are never taken for a torn write)", () => {
    const err = openDamaged((_, lines) => joinLines([lines[0], lines[1], lines[3], lines[2]]));
    expect(err).toMatchObject({ line: 3 });
  });

  it("a bad line followed by a partial one", () => {
    const err = openDamaged((bytes) => {
      const copy = Buffer.from(bytes);
      flipBits(copy, (lineStarts(copy)[3] as number) + 5, 0x01);
      return Buffer.concat([copy, Buffer.from('{"seq":5')]);
    });
    expect(err).toMatchObject({ line: 4, problem: "checksum mismatch" });
  });

  it("an empty line in the middle", () => {
    const err = openDamaged((_, lines) => joinLines([lines[0], "", lines[1], lines[2], lines[3]]));
    expect(err).toMatchObject({ line: 2, problem: expect.stringMatching(/no checksum/) });
  });
});
