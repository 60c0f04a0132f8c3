import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireDataDirLock } from "../../../src/runtime/store/data-dir-lock.js";
import { openDurableDb } from "../../../src/runtime/store/durable-adapter.js";
import { writeFileDurable } from "../../../src/runtime/store/durable-file.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "quan-durable-"));

describe("durable files", () => {
  it("replace the content and leave no temp file behind", () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    writeFileDurable(file, "one");
    writeFileDurable(file, "two");
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("a temp file left by a crash does not break the next write", () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    writeFileSync(join(dir, "state.json.tmp-999-1"), "half a fi");
    writeFileDurable(file, "whole");
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("lowdb through the durable adapter: defaults, write, read back", () => {
    const dir = tempDir();
    const db = openDurableDb(join(dir, "db.json"), { n: 0 });
    expect(db.data).toEqual({ n: 0 });
    db.data.n = 5;
    db.write();
    expect(openDurableDb(join(dir, "db.json"), { n: 0 }).data).toEqual({ n: 5 });
  });

  it("a damaged file is an error that names it, never silently empty", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "db.json"), '{"n": 5');
    expect(() => openDurableDb(join(dir, "db.json"), { n: 0 })).toThrow(/db\.json is not valid JSON/);
  });
});

describe("the data directory lock", () => {
  it("keeps a second writer out and lets it in after release", () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by process ${process.pid}`));
    lock.release();
    acquireDataDirLock(dir).release();
    expect(existsSync(join(dir, "lock"))).toBe(false);
  });

  it("takes over a lock left by a dead process", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "lock"), "999999999\n");
    acquireDataDirLock(dir).release();
  });
});
