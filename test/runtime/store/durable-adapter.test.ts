import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CorruptFileError, openDurableDb } from "../../../src/runtime/store/durable-adapter.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "quan-adapter-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Counters {
  n: number;
  names: string[];
}
const defaults = (): Counters => ({ n: 0, names: [] });

describe("lowdb through the durable adapter", () => {
  it("starts from the defaults when the file does not exist, without creating it", () => {
    const db = openDurableDb(join(dir, "db.json"), defaults());
    expect(db.data).toEqual(defaults());
    expect(existsSync(join(dir, "db.json"))).toBe(false);
  });

  it("writes JSON that the next open reads back, with no temp file left", () => {
    const file = join(dir, "db.json");
    const db = openDurableDb(file, defaults());
    db.data.n = 5;
    db.data.names.push("李雷");
    db.write();
    db.update((data) => {
      data.n++;
    });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ n: 6, names: ["李雷"] });
    expect(openDurableDb(file, defaults()).data).toEqual({ n: 6, names: ["李雷"] });
    expect(readdirSync(dir)).toEqual(["db.json"]);
  });

  it.each([
    ["cut short", '{"n": 5'],
    ["empty", ""],
    ["not JSON at all", "\u0000\u0000\u0000"],
  ])("a file that is %s is an error naming the file, never silently the defaults", (_, content) => {
    const file = join(dir, "db.json");
    writeFileSync(file, content);
    expect(() => openDurableDb(file, defaults())).toThrow(CorruptFileError);
    expect(() => openDurableDb(file, defaults())).toThrow(`${file} is not valid JSON`);
  });

  it("a file holding null is an error too (lowdb would keep the defaults)", () => {
    const file = join(dir, "db.json");
    writeFileSync(file, "null");
    expect(() => openDurableDb(file, defaults())).toThrow(`${file} holds null`);
  });
});
