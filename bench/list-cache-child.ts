import { readFileSync, writeFileSync } from "node:fs";
import { TABLE_FILE } from "../src/runtime/store/list-cache/table-file.js";
import { TableFileReader } from "../src/runtime/store/list-cache/table-reader.js";
import { benchCode } from "./fixture.js";

/**
 * One measurement per process (modules loaded only by the step that needs them), so RSS is only what that step holds. No forced GC: RSS as a
 * process really sits. Prints one JSON line.
 *   make  N FILE KEYFILE   write a signed list of N codes (and its key) for the other steps
 *   import DIR FILE KEYFILE
 *   open  DIR KEYFILE      open the cache, look up a hit and a miss
 *   check DIR CODE         answer one code from the table file (what `coupons check` needs)
 *   map   N                today's baseline: the codes in the Map-based CodeTable
 */
const [step, a, b, c] = process.argv.slice(2) as string[];
const t0 = performance.now();
const out: Record<string, unknown> = { step };
if (step === "make") {
  const { generateMerchantKeys, signDocument } = await import("../src/protocol/envelope/index.js");
  const { bigList } = await import("./fixture.js");
  const keys = generateMerchantKeys();
  const envelope = signDocument(JSON.stringify(bigList(Number(a))), keys.privateKeyPem);
  writeFileSync(b as string, JSON.stringify(envelope));
  writeFileSync(c as string, JSON.stringify({ id: "m-bench", publicKey: keys.publicKey }));
} else if (step === "import") {
  const { ListCache } = await import("../src/runtime/store/list-cache/list-cache.js");
  const pinned = JSON.parse(readFileSync(c as string, "utf8"));
  out.result = ListCache.importList(a as string, readFileSync(b as string), pinned, null);
} else if (step === "open") {
  const { ListCache } = await import("../src/runtime/store/list-cache/list-cache.js");
  const { silentLogger } = await import("../src/runtime/log.js");
  const pinned = JSON.parse(readFileSync(b as string, "utf8"));
  const cache = ListCache.open(a as string, pinned, silentLogger());
  out.openMs = performance.now() - t0;
  out.hit = cache?.index().codes.has(benchCode(12345)) ?? false;
  out.miss = cache?.codes.has("NOT-A-CODE") ?? true;
  const t = performance.now();
  let found = 0;
  for (let i = 0; i < 100_000; i++)
    if (cache?.codes.has(benchCode(i * 7)) || cache?.codes.has(`X${i}`)) found++;
  out.lookupNs = ((performance.now() - t) / 200_000) * 1e6;
  out.found = found;
} else if (step === "check") {
  const reader = TableFileReader.open(`${a}/${TABLE_FILE}`);
  out.entry = reader.find(b as string);
  reader.close();
} else if (step === "map") {
  const { CodeTable } = await import("../src/runtime/engine/code-table.js");
  const table = new CodeTable();
  for (let i = 0; i < Number(a); i++) table.add({ code: benchCode(i), campaign: "pct20", uses: 1 });
  out.openMs = performance.now() - t0;
  out.hit = table.has(benchCode(12345));
}
out.ms = performance.now() - t0;
out.rssMb = process.memoryUsage().rss / 2 ** 20;
out.peakMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify(out));
