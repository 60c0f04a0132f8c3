import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RedeemEntry } from "../../../src/protocol/journal/index.js";
import { Journal, JournalWriteError, verifyJournal } from "../../../src/runtime/store/journal.js";

// The journal's own fs calls go through these spies, so a test can make the disk misbehave.
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return {
    ...real,
    writeSync: vi.fn(real.writeSync),
    fdatasyncSync: vi.fn(real.fdatasyncSync),
    ftruncateSync: vi.fn(real.ftruncateSync),
  };
});
const realFs = await vi.importActual<typeof import("node:fs")>("node:fs");
const writeSync = vi.mocked(fs.writeSync);
const fdatasyncSync = vi.mocked(fs.fdatasyncSync);
const ftruncateSync = vi.mocked(fs.ftruncateSync);

let dir: string;
beforeEach(() => {
  dir = realFs.mkdtempSync(join(tmpdir(), "quan-journal-fail-"));
});
afterEach(() => {
  vi.mocked(writeSync).mockImplementation(realFs.writeSync);
  vi.mocked(fdatasyncSync).mockImplementation(realFs.fdatasyncSync);
  vi.mocked(ftruncateSync).mockImplementation(realFs.ftruncateSync);
  realFs.rmSync(dir, { recursive: true, force: true });
});

const redeem = (i: number): RedeemEntry => ({
  type: "redeem",
  id: `R${i}`,
  at: "2026-03-04T04:00:00.000Z",
  terminal: "T1",
  store: "S1",
  cashier: "c",
  currency: "CNY",
  amount: 1000,
  discount: 100,
  payable: 900,
  lines: [{ code: `C${i}`, campaign: "x", discount: 100 }],
  listVersion: 1,
});

const eio = () => Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });

describe("a journal whose disk misbehaves", () => {
  it("writes the whole line even when the kernel accepts only a few bytes per write", () => {
    const path = join(dir, "journal.log");
    const { journal } = Journal.open(path);
    writeSync.mockImplementation(((fd: number, buffer: Uint8Array, offset: number, length: number) =>
      realFs.writeSync(fd, buffer, offset, Math.min(length, 7))) as typeof fs.writeSync);
    const records = [journal.append(redeem(1)), ...journal.appendMany([redeem(2), redeem(3)])];
    journal.close();
    expect(writeSync.mock.calls.length).toBeGreaterThan(30);
    expect(verifyJournal(path)).toEqual({ ok: true, records: 3, lastHash: records[2]?.hash, torn: null });
  });

  it("a failed fdatasync is not a commit: the append throws, the line is cut back, the next append goes on", () => {
    const path = join(dir, "journal.log");
    const { journal } = Journal.open(path);
    const first = journal.append(redeem(1));
    const committedSize = realFs.statSync(path).size;

    fdatasyncSync.mockImplementationOnce(() => {
      throw eio();
    });
    expect(() => journal.append(redeem(2))).toThrow(JournalWriteError);
    expect(journal.lastSeq).toBe(1);
    expect(journal.writable).toBe(false);
    expect(realFs.statSync(path).size).toBe(committedSize);
    // No restart needed: the disk works again, so the next commit does.
    const next = journal.append(redeem(3));
    journal.close();
    expect(next).toMatchObject({ seq: 2, prev: first.hash, id: "R3" });
    expect(Journal.open(path).records.map((r) => r.id)).toEqual(["R1", "R3"]);
  });

  it("while the partial write cannot be cut back, every append is refused; then it recovers by itself", () => {
    const path = join(dir, "journal.log");
    const { journal } = Journal.open(path);
    journal.append(redeem(1));
    const committedSize = realFs.statSync(path).size;
    const enospc = () => Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    writeSync
      .mockImplementationOnce(((fd: number, buffer: Uint8Array, offset: number) =>
        realFs.writeSync(fd, buffer, offset, 40)) as typeof fs.writeSync)
      .mockImplementationOnce(() => {
        throw enospc();
      });
    ftruncateSync.mockImplementation(() => {
      throw eio();
    });
    expect(() => journal.append(redeem(2))).toThrow(
      /ENOSPC.*nothing was committed.*cutting the partial write back failed/,
    );
    expect(() => journal.append(redeem(3))).toThrow(/cannot be restored yet.*EIO.*tries again/);
    expect(journal.recover()).toBe(false);
    expect(realFs.statSync(path).size).toBe(committedSize + 40);

    ftruncateSync.mockImplementation(realFs.ftruncateSync);
    const next = journal.append(redeem(4));
    journal.close();
    expect(next).toMatchObject({ seq: 2, id: "R4" });
    expect(verifyJournal(path)).toMatchObject({ ok: true, records: 2, torn: null });
  });

  it("a write failing halfway leaves no partial line behind once reopened", () => {
    const path = join(dir, "journal.log");
    const { journal } = Journal.open(path);
    journal.append(redeem(1));
    writeSync
      .mockImplementationOnce(((fd: number, buffer: Uint8Array, offset: number) =>
        realFs.writeSync(fd, buffer, offset, 40)) as typeof fs.writeSync)
      .mockImplementationOnce(() => {
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      });
    expect(() => journal.append(redeem(2))).toThrow(/ENOSPC.*nothing was committed/);
    journal.close();
    const reopened = Journal.open(path);
    reopened.journal.close();
    expect(reopened.records).toHaveLength(1);
    expect(verifyJournal(path)).toMatchObject({ ok: true, records: 1, torn: null });
  });
});
