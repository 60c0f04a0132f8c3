import { randomBytes } from "node:crypto";
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(
    readonly dir: string,
    /** The process holding the lock, when known. */
    readonly holder: number | null,
    message: string,
  ) {
    super(message);
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file. Idempotent. */
  release(): void;
}

/** Lock files held by this process: a second acquire here must fail like one from another process. */
const heldHere = new Set<string>();

/** Changes on every boot (Linux); undefined elsewhere, where only the pid is checked. */
const bootId = readBootId();

/**
 * One writer per data directory: the daemon and a technician's `quan redeem` must never append to
 * the same journal at once. `DIR/lock` is created with O_EXCL and holds "pid\nboot id\n". A lock
 * whose process is gone (SIGKILL, power cut) is taken over; one from an earlier boot too, since
 * after a reboot its pid may belong to an unrelated process, or to this one.
 */
export function acquireDataDirLock(dir: string): DataDirLock {
  const path = join(resolve(dir), "lock");
  if (heldHere.has(path)) {
    throw new DataDirLockedError(
      dir,
      process.pid,
      `data directory ${dir} is in use by process ${process.pid}`,
    );
  }
  const content = `${process.pid}\n${bootId ?? ""}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, content)) {
      heldHere.add(path);
      return { path, release: () => release(path, content) };
    }
    const seen = readSettledLock(path);
    if (seen === null) continue;
    const holder = Number.parseInt(seen, 10);
    if (isLiveHolder(seen)) {
      throw new DataDirLockedError(dir, holder, `data directory ${dir} is in use by process ${holder}`);
    }
    takeOverStale(path, seen);
  }
  throw new DataDirLockedError(
    dir,
    null,
    `could not lock data directory ${dir}: its lock file kept changing (another process starting at the same time?)`,
  );
}

/** The process holding the data directory (the running terminal), or null; reads, never takes, the lock. */
export function dataDirHolder(dir: string): number | null {
  const path = join(resolve(dir), "lock");
  if (heldHere.has(path)) return process.pid;
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  return isLiveHolder(content) ? Number.parseInt(content, 10) : null;
}

function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw err;
  }
  closeSync(fd);
  return true;
}

/**
 * The lock's content, or null when it vanished. A creator writes right after its O_EXCL open, so an
 * incomplete content is waited for briefly; one that stays incomplete was cut by a power loss.
 */
function readSettledLock(path: string): string | null {
  for (let wait = 0; ; wait++) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    if (text.endsWith("\n") || wait === 10) return text;
    sleepMs(20);
  }
}

function isLiveHolder(content: string): boolean {
  // Only a power cut leaves a lock without its final newline; its pid may be cut short, so ignore it.
  if (!content.endsWith("\n")) return false;
  const [pidText = "", holderBoot = ""] = content.split("\n");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (bootId && holderBoot && holderBoot !== bootId) return false;
  // Not held here (checked first), so a file with this pid was left by an earlier process.
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes a stale lock without racing another process doing the same: move it aside atomically
 * and check that what was moved is the stale lock, not a fresh one created in the meantime.
 */
function takeOverStale(path: string, staleContent: string): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if (readFileSync(aside, "utf8") !== staleContent) {
    // Someone else's fresh lock: put it back (unless a third process locked meanwhile) and retry.
    try {
      linkSync(aside, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  rmSync(aside, { force: true });
}

function release(path: string, content: string): void {
  if (!heldHere.delete(path)) return;
  let current: string;
  try {
    current = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`lock ${path} was removed while this process held it`, { cause: err });
    }
    throw err;
  }
  if (current !== content) {
    throw new Error(
      `lock ${path} was taken over while this process held it (it now reads ${JSON.stringify(current)})`,
    );
  }
  rmSync(path, { force: true });
}

function readBootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
