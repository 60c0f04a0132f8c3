import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Tmpfs {
  dir: string;
  /** Fills the filesystem to the last page, then frees `pages` pages (4 KiB each) of it. */
  fill(pages?: number): void;
  /** Removes the filler: the disk has room again. */
  free(): void;
  unmount(): void;
}

const PAGE = 4096;

/**
 * A real, small filesystem (tmpfs, needs root: CI runs as root) for tests of a full disk. Returns
 * the reason instead when mounting is not permitted here; under CI=true that is an error.
 */
export function mountTmpfs(sizeKiB: number): Tmpfs | { unavailable: string } {
  const dir = mkdtempSync(join(tmpdir(), "quan-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKiB}k`, "tmpfs", dir], { stdio: "pipe" });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const reason = `cannot mount a tmpfs for a full-disk test (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
    if (process.env.CI === "true") throw new Error(reason);
    return { unavailable: reason };
  }
  const fillers = join(dir, "filler");
  return {
    dir,
    fill(pages = 0) {
      execFileSync("mkdir", ["-p", fillers]);
      for (let i = 0; ; i++) {
        const file = join(fillers, String(i));
        try {
          writeFileSync(file, Buffer.alloc(PAGE, 1));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
          rmSync(file, { force: true });
          break;
        }
      }
      const names = readdirSync(fillers);
      for (let i = 0; i < pages; i++) rmSync(join(fillers, names[i] as string));
    },
    free() {
      rmSync(fillers, { recursive: true, force: true });
    },
    unmount() {
      execFileSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
