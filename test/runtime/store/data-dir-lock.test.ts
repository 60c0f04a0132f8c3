import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirLockedError } from "../../../src/runtime/store/data-dir-lock.js";

const holdLockScript = join(import.meta.dirname, "fixtures", "hold-lock.mjs");
const bootIdFile = "/proc/sys/kernel/random/boot_id";

let dir: string;
let children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "quan-lock-"));
});
afterEach(() => {
  for (const child of children) child.kill("SIGKILL");
  children = [];
  rmSync(dir, { recursive: true, force: true });
});

const lockFile = () => join(dir, "lock");

/** The pid of a process that has already exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  if (!pid) throw new Error("could not start a short-lived process");
  return pid;
}

/** Another process holding the lock, as the daemon would while a technician runs `quan redeem`. */
function lockInChild(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [holdLockScript, dir], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr += d));
    child.stdout?.once("data", () => resolve(child));
    child.on("exit", (code) => reject(new Error(`lock holder exited ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

describe("the data directory lock", () => {
  it("writes the pid into DIR/lock and removes it on release", () => {
    const lock = acquireDataDirLock(dir);
    expect(lock.path).toBe(lockFile());
    expect(readFileSync(lockFile(), "utf8").split("\n")[0]).toBe(String(process.pid));
    lock.release();
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it("keeps a second writer in the same process out, and lets it in after release", () => {
    const lock = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(
      `data directory ${dir} is in use by process ${process.pid}`,
    );
    lock.release();
    acquireDataDirLock(dir).release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("keeps this process out while another live process holds it, and takes over once it is killed", async () => {
    const child = await lockInChild();
    let error: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error).toMatchObject({
      holder: child.pid,
      message: `data directory ${dir} is in use by process ${child.pid}`,
    });

    child.kill("SIGKILL");
    await exited(child);
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(lockFile(), "utf8").split("\n")[0]).toBe(String(process.pid));
    lock.release();
  });

  it("takes over a stale lock whose process is dead", () => {
    writeFileSync(lockFile(), `${deadPid()}\n`);
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(lockFile(), "utf8").split("\n")[0]).toBe(String(process.pid));
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("takes over a lock left with this process's pid by an earlier process that had the same pid", () => {
    writeFileSync(lockFile(), `${process.pid}\n`);
    acquireDataDirLock(dir).release();
  });

  it("takes over a lock file cut short by a power loss", () => {
    writeFileSync(lockFile(), "");
    acquireDataDirLock(dir).release();
    writeFileSync(lockFile(), String(process.ppid));
    acquireDataDirLock(dir).release();
  });

  it.skipIf(!existsSync(bootIdFile))(
    "takes over a lock from an earlier boot, even if its pid is alive now",
    () => {
      // After a reboot, the old pid may well belong to some other live process (here: our parent).
      writeFileSync(lockFile(), `${process.ppid}\n00000000-0000-0000-0000-000000000000\n`);
      acquireDataDirLock(dir).release();
    },
  );

  it("keeps out a lock from this boot whose process is alive", () => {
    const bootId = existsSync(bootIdFile) ? readFileSync(bootIdFile, "utf8").trim() : "";
    writeFileSync(lockFile(), `${process.ppid}\n${bootId}\n`);
    expect(() => acquireDataDirLock(dir)).toThrow(`in use by process ${process.ppid}`);
    expect(readFileSync(lockFile(), "utf8")).toBe(`${process.ppid}\n${bootId}\n`);
  });

  it("refuses to remove a lock another process has taken over meanwhile", () => {
    const lock = acquireDataDirLock(dir);
    writeFileSync(lockFile(), `${process.ppid}\n`);
    expect(() => lock.release()).toThrow(/taken over/);
    expect(existsSync(lockFile())).toBe(true);
  });
});
