import { readFileSync } from "node:fs";
import { benchCode, CODE_BYTES } from "./fixture.js";

/**
 * The baselines, each in its own process so start-up and memory are measured the way the daemon's
 * are (see process-probe.ts). `stay` prints READY and sits idle like the daemon; `once` exits.
 *   empty              Node itself
 *   read FILE          reads a file's bytes (the sorted code table, the list cache, a signed list)
 *   map COUNT          a Map of the same codes (what a plain in-memory index costs)
 *   lookup FILE CODE   reads the sorted code table and finds one code by binary search
 */
const [life, mode, arg, code] = process.argv.slice(2);
let keep: unknown;
if (mode === "read" || mode === "lookup") {
  keep = readFileSync(arg as string);
} else if (mode === "map") {
  const map = new Map<string, { campaign: string; uses: number }>();
  for (let i = 0; i < Number(arg); i++) map.set(benchCode(i), { campaign: "c", uses: 1 });
  keep = map;
} else if (mode !== "empty") {
  throw new Error(`load-child: unknown mode ${mode}`);
}
if (mode === "lookup")
  process.stdout.write(findSorted(keep as Buffer, code as string) ? "found\n" : "not found\n");
process.stdout.write("READY\n");
// Stays up like the daemon (which has timers) until the bench ends it.
if (life === "stay") setInterval(() => keep, 1000);

function findSorted(table: Buffer, wanted: string): boolean {
  const key = Buffer.from(wanted, "latin1");
  let lo = 0;
  let hi = table.length / CODE_BYTES - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const cmp = key.compare(table, mid * CODE_BYTES, (mid + 1) * CODE_BYTES);
    if (cmp === 0) return true;
    if (cmp < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return false;
}
