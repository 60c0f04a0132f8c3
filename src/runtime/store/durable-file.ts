import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const TEMP_MARK = ".tmp-";

/**
 * Replaces `path` so that after a power cut it holds either the old or the new content, never
 * an empty or partial file: write a temp file, fsync it, rename it over, fsync the directory.
 * (lowdb's own writer stops at the rename, with no fsync at all.)
 */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  removeStaleTemps(dir, basename(path));
  const temp = join(dir, `${basename(path)}${TEMP_MARK}${process.pid}-${Date.now()}`);
  const fd = openSync(temp, "w", 0o644);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDirectory(dir);
}

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Temp files a crash left behind are never the truth: the rename did not happen. */
function removeStaleTemps(dir: string, name: string): void {
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(`${name}${TEMP_MARK}`)) rmSync(join(dir, entry), { force: true });
  }
}
