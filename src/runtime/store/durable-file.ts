import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const TEMP_INFIX = ".tmp-";

/**
 * Replaces `path` so that after a power cut it holds either the old or the new content, never an
 * empty or partial file: write a temp file in the same directory, fsync it, rename it over the
 * target, fsync the directory (lowdb's own writer stops at the rename, with no fsync at all).
 *
 * Writers of one file must be serialised (the data-dir lock does that): temp files of this target
 * found in the directory are leftovers of a crash and are removed.
 */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  removeLeftoverTemps(dir, basename(path));
  const temp = join(dir, `${basename(path)}${TEMP_INFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    const fd = openSync(temp, "wx", 0o644);
    try {
      writeAll(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    removeTempAfterFailure(temp, err);
    throw err;
  }
  fsyncDirectory(dir);
}

/** Makes a file's creation, rename or removal in `dir` survive a power cut. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** writeSync may write less than asked (a full disk, a signal): loop until every byte is out. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** A temp file is never the truth: a crash came before its rename. */
function removeLeftoverTemps(dir: string, name: string): void {
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(`${name}${TEMP_INFIX}`)) rmSync(join(dir, entry), { force: true });
  }
}

function removeTempAfterFailure(temp: string, failure: unknown): void {
  try {
    rmSync(temp, { force: true });
  } catch (cleanupError) {
    throw new AggregateError(
      [failure, cleanupError],
      `writing failed and the temp file ${temp} could not be removed either (the next write removes it)`,
    );
  }
}
