import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileDurable } from "../../../src/runtime/store/durable-file.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "quan-durable-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("writeFileDurable", () => {
  it("creates the file, then replaces its content, leaving no temp file behind", () => {
    const file = join(dir, "state.json");
    writeFileDurable(file, "one");
    expect(readFileSync(file, "utf8")).toBe("one");
    writeFileDurable(file, "二");
    expect(readFileSync(file, "utf8")).toBe("二");
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("writes bytes as they are", () => {
    const file = join(dir, "blob.bin");
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    writeFileDurable(file, bytes);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it("a temp file left by a crash does not break the next write, and is cleaned up", () => {
    const file = join(dir, "state.json");
    writeFileDurable(file, "old");
    writeFileSync(join(dir, "state.json.tmp-999-1a2b3c4d"), "half a fi");
    writeFileSync(join(dir, "other.json.tmp-999-1a2b3c4d"), "not ours");
    writeFileDurable(file, "new");
    expect(readFileSync(file, "utf8")).toBe("new");
    expect(readdirSync(dir).sort()).toEqual(["other.json.tmp-999-1a2b3c4d", "state.json"]);
  });

  it("a failed write keeps the old content and leaves no temp file", () => {
    // The target is a non-empty directory, so the final rename fails.
    const target = join(dir, "taken");
    mkdirSync(target);
    writeFileSync(join(target, "inside"), "x");
    expect(() => writeFileDurable(target, "data")).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir)).toEqual(["taken"]);
  });

  it("a missing directory is an error, not a silent no-op", () => {
    expect(() => writeFileDurable(join(dir, "nope", "state.json"), "x")).toThrow(/ENOENT/);
  });
});
