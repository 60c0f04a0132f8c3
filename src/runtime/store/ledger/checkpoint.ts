import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writevSync,
} from "node:fs";
import { open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { RedeemEntry } from "../../../protocol/journal/index.js";
import type { LastUse } from "../../ledger/last-use.js";
import { fsyncDirectory } from "../durable-file.js";
import type { LastRedemption } from "../ledger-port.js";
import type { StackedRun } from "./compact-map.js";
import type { LedgerPosition } from "./segments.js";
import { crcOfRun, Run, type RunReads } from "./sorted-run.js";

/**
 * A checkpoint: the counters as of one journal position, so a start reads only the journal after
 * it. DATA/ledger/checkpoint-<seq>.json holds the small state and names the run files (the
 * compact tables) it needs; a run file is written once and never changed. Everything here is
 * derived from the journal: a missing or damaged checkpoint costs a longer start, nothing else.
 */

export const LEDGER_DIR = "ledger";
const CHECKPOINT_NAME = /^checkpoint-(\d+)\.json$/;
const TEMP = ".tmp-";

/** One segment's extent, for reading only the segments a report or a lookup needs. */
export interface SegmentSummary {
  no: number;
  firstSeq: number;
  /** Hash of the record before the segment's first (where reading it starts the chain). */
  prevHash: string;
  lastSeq: number;
  /** Earliest and latest record instants (epoch ms). */
  minAt: number;
  maxAt: number;
}

export interface RecentRedemption {
  entry: RedeemEntry;
  voided: boolean;
  seq: number;
}

export interface CheckpointFile {
  format: "quan.ledger/1";
  position: LedgerPosition;
  /** Redemption records in the journal up to `position`. */
  redemptions: number;
  names: string[];
  irregular: [string, LastUse][];
  campaigns: [string, number][];
  /** Run files per table, newest first. */
  runs: { codes: string[]; members: string[]; tokens: string[] };
  /** Redemptions a void may still target (within the void window). */
  recent: RecentRedemption[];
  /** This terminal's newest redemption (and its void). */
  lastOwn: LastRedemption | null;
  segments: SegmentSummary[];
}

export const checkpointName = (seq: number) => `checkpoint-${String(seq).padStart(12, "0")}.json`;

/** Checkpoint files in the ledger directory, newest first. */
export function listCheckpoints(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names.filter((n) => CHECKPOINT_NAME.test(n)).sort((a, b) => b.localeCompare(a));
}

export interface LoadedCheckpoint {
  file: CheckpointFile;
  name: string;
  runs: { codes: StackedRun[]; members: StackedRun[]; tokens: StackedRun[] };
}

/**
 * A checkpoint's bytes: its JSON with the SHA-256 of that JSON put first, `{"sha256":"<hex>",...}`,
 * so the file stays plain JSON and a bit error in a count (still valid JSON) is caught, as the
 * runs' crc catches one in a table. The hash is of the exact bytes after the prefix, never of a
 * re-serialisation.
 */
const SUM_PREFIX = '{"sha256":"';
const SUM_END = SUM_PREFIX.length + 64;
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

function sealedJson(json: string): Buffer {
  return Buffer.from(`${SUM_PREFIX}${sha256(json)}",${json.slice(1)}`, "utf8");
}

function checkpointBytes(file: CheckpointFile): Buffer {
  return sealedJson(JSON.stringify(file));
}

/** Reads and checks one checkpoint's small state; throws if it is damaged or of another format. */
export function readCheckpointFile(dir: string, name: string): CheckpointFile {
  const text = readFileSync(join(dir, name), "utf8");
  const json = `{${text.slice(SUM_END + 2)}`;
  if (
    !text.startsWith(SUM_PREFIX) ||
    text.slice(SUM_END, SUM_END + 2) !== '",' ||
    sha256(json) !== text.slice(SUM_PREFIX.length, SUM_END)
  )
    throw new Error(`${name} is damaged: checksum mismatch`);
  const file = JSON.parse(json) as CheckpointFile;
  if (file.format !== "quan.ledger/1") throw new Error(`${name}: unknown format ${String(file.format)}`);
  return file;
}

/**
 * Reads one checkpoint and its runs' headers; throws if anything is missing or does not add up.
 * The runs' bodies are read (and their crc checked) later: see Run.load.
 */
export function loadCheckpoint(
  dir: string,
  name: string,
  valueSizes: Record<keyof CheckpointFile["runs"], number>,
  reads: RunReads = "load",
): LoadedCheckpoint {
  const file = readCheckpointFile(dir, name);
  const load = (table: keyof CheckpointFile["runs"]) =>
    file.runs[table].map((f) => ({
      run: Run.open(join(dir, f), f, valueSizes[table], reads),
      file: f,
      written: true,
    }));
  return { file, name, runs: { codes: load("codes"), members: load("members"), tokens: load("tokens") } };
}

const tempName = (name: string) => `${name}${TEMP}${process.pid}-${randomBytes(4).toString("hex")}`;

function runCrcNow(run: Run): number {
  const g = crcOfRun(run, Number.MAX_SAFE_INTEGER);
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** Writes the runs not yet on disk, then the checkpoint, durably, blocking (at close). */
export function writeCheckpointSync(dir: string, runs: readonly StackedRun[], file: CheckpointFile): string {
  for (const r of runs) {
    if (r.written) continue;
    writeDurableSync(dir, r.file, [r.run.header(runCrcNow(r.run)), ...r.run.parts()]);
    r.written = true;
  }
  const name = checkpointName(file.position.seq);
  writeDurableSync(dir, name, [checkpointBytes(file)]);
  fsyncDirectory(dir);
  return name;
}

function writeDurableSync(dir: string, name: string, parts: Buffer[]): void {
  const temp = join(dir, tempName(name));
  const fd = openSync(temp, "wx", 0o644);
  try {
    let rest = parts.filter((p) => p.length > 0);
    while (rest.length > 0) {
      let n = writevSync(fd, rest);
      const next: Buffer[] = [];
      for (const p of rest) {
        if (n >= p.length) n -= p.length;
        else {
          next.push(p.subarray(n));
          n = 0;
        }
      }
      rest = next;
    }
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, join(dir, name));
}

/** Lets the event loop run (commits go on) between slices of checkpoint work. */
export const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The same, off the commit path: the crc and the JSON a slice at a time, the writes and fsyncs on
 * libuv's threads (temp, fsync, rename, then the directory). `file.recent` is written without the
 * redemptions before `cutoff`. Returns the checkpoint's name, or null if `abandoned()` turned true
 * (the ledger closed, and wrote a newer one).
 */
export async function writeCheckpointAsync(
  dir: string,
  runs: readonly StackedRun[],
  file: CheckpointFile,
  cutoff: number,
  abandoned: () => boolean,
): Promise<string | null> {
  for (const r of runs) {
    if (r.written) continue;
    const crc = crcOfRun(r.run);
    let step = crc.next();
    while (!step.done) {
      await nextTick();
      if (abandoned()) return null;
      step = crc.next();
    }
    await writeDurableAsync(dir, r.file, [r.run.header(step.value), ...r.run.parts()]);
    r.written = true;
  }
  const json = await checkpointJson(file, cutoff);
  if (abandoned()) return null;
  const name = checkpointName(file.position.seq);
  await writeDurableAsync(dir, name, [sealedJson(json)]);
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return name;
}

/** The checkpoint as JSON, its recent redemptions (a void window's worth) a slice at a time. */
async function checkpointJson(file: CheckpointFile, cutoff: number): Promise<string> {
  const { recent, ...rest } = file;
  const head = JSON.stringify(rest);
  const parts: string[] = [];
  let batch: RecentRedemption[] = [];
  for (const r of recent) {
    if (Date.parse(r.entry.at) >= cutoff) batch.push(r);
    if (batch.length === 256) {
      parts.push(JSON.stringify(batch).slice(1, -1));
      batch = [];
      await nextTick();
    }
  }
  if (batch.length > 0) parts.push(JSON.stringify(batch).slice(1, -1));
  return `${head.slice(0, -1)},"recent":[${parts.join(",")}]}`;
}

async function writeDurableAsync(dir: string, name: string, parts: Buffer[]): Promise<void> {
  const temp = join(dir, tempName(name));
  const handle = await open(temp, "wx", 0o644);
  try {
    let rest = parts.filter((p) => p.length > 0);
    while (rest.length > 0) {
      let { bytesWritten: n } = await handle.writev(rest);
      const next: Buffer[] = [];
      for (const p of rest) {
        if (n >= p.length) n -= p.length;
        else {
          next.push(p.subarray(n));
          n = 0;
        }
      }
      rest = next;
    }
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, join(dir, name));
}

/**
 * Removes what no checkpoint needs any more: older checkpoints, run files neither `keep` names,
 * temp files of a crash. Derived files only: the journal is never touched here.
 */
export function removeObsolete(dir: string, newest: string, keep: ReadonlySet<string>): void {
  for (const name of readdirSync(dir)) {
    const old = (CHECKPOINT_NAME.test(name) && name < newest) || (name.endsWith(".run") && !keep.has(name));
    if (old) rmSync(join(dir, name), { force: true });
  }
}

/** The same off the event loop (a big run file's unlink can take a while). */
export async function removeObsoleteAsync(
  dir: string,
  newest: string,
  keep: ReadonlySet<string>,
): Promise<void> {
  for (const name of await readdir(dir)) {
    const old = (CHECKPOINT_NAME.test(name) && name < newest) || (name.endsWith(".run") && !keep.has(name));
    if (old) await rm(join(dir, name), { force: true });
  }
}

/** Temp files left by a crash mid-write (at open, before anything is written). */
export function removeTemps(dir: string): void {
  for (const name of readdirSync(dir)) if (name.includes(TEMP)) rmSync(join(dir, name), { force: true });
}
