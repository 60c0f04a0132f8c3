import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ListCacheFigures {
  codes: number;
  envelopeMb: number;
  tableMb: number;
  importMs: number;
  importPeakMb: number;
  openMs: number;
  openRssMb: number;
  /** Whole process: Node start, module loading, open, two lookups. */
  openProcessMs: number;
  lookupNs: number;
  checkProcessMs: number;
  checkPeakMb: number;
  mapOpenMs: number;
  mapRssMb: number;
}

const child = join(dirname(fileURLToPath(import.meta.url)), "list-cache-child.js");

function run(...args: string[]): { out: Record<string, unknown>; wallMs: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [child, ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`list-cache-child ${args[0]} failed: ${r.stderr}`);
  return { out: JSON.parse(r.stdout) as Record<string, unknown>, wallMs };
}

/** Measures the list cache against today's Map-based table for `codes` codes (run from dist/). */
export function benchListCache(codes: number): ListCacheFigures {
  const dir = mkdtempSync(join(tmpdir(), "quan-list-bench-"));
  try {
    const file = join(dir, "list.signed.json");
    const key = join(dir, "key.json");
    const cache = join(dir, "list");
    run("make", String(codes), file, key);
    const imported = run("import", cache, file, key).out;
    const opened = run("open", cache, key);
    const checked = run("check", cache, "Q00000012345");
    const map = run("map", String(codes)).out;
    return {
      codes,
      envelopeMb: statSync(file).size / 2 ** 20,
      tableMb: statSync(join(cache, "codes.table")).size / 2 ** 20,
      importMs: imported.ms as number,
      importPeakMb: imported.peakMb as number,
      openMs: opened.out.openMs as number,
      openRssMb: opened.out.rssMb as number,
      openProcessMs: opened.wallMs,
      lookupNs: opened.out.lookupNs as number,
      checkProcessMs: checked.wallMs,
      checkPeakMb: checked.out.peakMb as number,
      mapOpenMs: map.openMs as number,
      mapRssMb: map.rssMb as number,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const n of process.argv.slice(2).map(Number)) console.log(JSON.stringify(benchListCache(n)));
}
