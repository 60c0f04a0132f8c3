import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PackedCodesBuilder } from "../../../../src/runtime/engine/packed-codes.js";
import {
  readTableFile,
  TableFileError,
  writeTableFile,
} from "../../../../src/runtime/store/list-cache/table-file.js";
import { TableFileReader } from "../../../../src/runtime/store/list-cache/table-reader.js";
import { tempDir } from "./list-fixtures.js";

const MEMBER = "c".repeat(64);

function written() {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  const b = new PackedCodesBuilder(["a", "b"]);
  for (let i = 0; i < 500; i++)
    b.add({ code: `CODE-${String(i).padStart(4, "0")}`, campaign: i % 2 ? "a" : "b", uses: 1 + (i % 3) });
  b.add({ code: "MEMBER-1", campaign: "a", uses: 100_000, member: MEMBER });
  const path = join(dir, "codes.table");
  writeTableFile(path, { hello: "世界" }, b.finish());
  return { dir, path };
}

describe("code table file", () => {
  it("reads back its JSON part and codes", () => {
    const { path } = written();
    const { meta, codes } = readTableFile(path);
    expect(meta).toEqual({ hello: "世界" });
    expect(codes.values.length).toBe(501);
  });

  it("is written whole through a temp file: no temp left, nothing else in the directory", () => {
    const { dir } = written();
    expect(readdirSync(dir)).toEqual(["codes.table"]);
  });

  it.each([
    ["truncated by one byte", (b: Buffer) => b.subarray(0, b.length - 1), /truncated/],
    ["cut in half", (b: Buffer) => b.subarray(0, b.length >> 1), /truncated/],
    ["empty", () => Buffer.alloc(0), /not a code table/],
    ["one bit flipped in the codes", (b: Buffer) => flip(b, b.length - 40), /content hash does not match/],
    ["one bit flipped in the JSON part", (b: Buffer) => flip(b, 70), /content hash does not match/],
    ["one bit flipped in the header's count", (b: Buffer) => flip(b, 12), /truncated/],
  ])("%s: refused on load with a clear error (also by the one-code reader)", (_name, damage, message) => {
    const { path } = written();
    writeFileSync(path, damage(readFileSync(path)));
    expect(() => readTableFile(path)).toThrow(TableFileError);
    expect(() => readTableFile(path)).toThrow(message);
    expect(() => TableFileReader.open(path)).toThrow(message);
  });

  it("the one-code reader answers hits and misses by positioned reads", () => {
    const { path } = written();
    const reader = TableFileReader.open(path);
    try {
      expect(reader.meta).toEqual({ hello: "世界" });
      expect(reader.find("CODE-0007")).toEqual({ code: "CODE-0007", campaignNumber: 0, uses: 2 });
      expect(reader.find("MEMBER-1")).toEqual({
        code: "MEMBER-1",
        campaignNumber: 0,
        uses: 100_000,
        member: MEMBER,
      });
      for (const miss of ["", "CODE-000", "CODE-00070", "code-0007", "CÖDE-0007", "ZZZZ", "0000"])
        expect(reader.find(miss), miss).toBeUndefined();
    } finally {
      reader.close();
    }
    expect(existsSync(path)).toBe(true);
  });
});

function flip(b: Buffer, at: number): Buffer {
  const out = Buffer.from(b);
  out[at] = (out[at] as number) ^ 0x10;
  return out;
}
