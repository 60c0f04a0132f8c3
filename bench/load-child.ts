import { readFileSync } from "node:fs";
import { silentLogger } from "../src/runtime/log.js";
import { CouponStore } from "../src/runtime/store/coupon-store.js";
import { benchCode } from "./fixture.js";

/** Runs in its own process so RSS measures only what a terminal holds after start-up. */
const [mode, arg] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
const t = performance.now();
let keep: unknown;
if (mode === "store") {
  const options = JSON.parse(readFileSync(arg as string, "utf8"));
  keep = CouponStore.open({ ...options, log: silentLogger() });
} else {
  const map = new Map<string, { campaign: string; uses: number }>();
  for (let i = 0; i < Number(arg); i++) map.set(benchCode(i), { campaign: "c", uses: 1 });
  keep = map;
}
const ms = performance.now() - t;
gc?.();
gc?.();
const mem = process.memoryUsage();
const peakMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  JSON.stringify({
    ms,
    rssMb: mem.rss / 2 ** 20,
    heapMb: mem.heapUsed / 2 ** 20,
    peakMb,
    kept: keep !== undefined,
  }),
);
if (keep instanceof CouponStore) keep.close();
