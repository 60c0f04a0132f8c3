import type { CouponStore } from "../src/runtime/store/coupon-store.js";
import { benchCode } from "./fixture.js";
import type { Scoreboard } from "./scoreboard.js";
import { summarize } from "./stats.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const BATCH = 1000;
const BATCHES = 100;

type Kind =
  | "hits"
  | "unknown codes"
  | "mistyped codes"
  | "a shift's mix (80% hits, 10% unknown, 10% mistyped)";

/** A deterministic pseudo-random sequence, so every run checks the same codes. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s % n;
  };
}

/** What a scanner or a keypad sends: codes in the list, well-formed codes not in it, and typos. */
function scans(kind: Kind, codes: number, count: number): string[] {
  const pick = lcg(kind.length * 7919);
  const hit = () => benchCode(pick(codes));
  const unknown = () => benchCode(codes + pick(codes));
  const mistyped = () => {
    const code = hit();
    switch (pick(4)) {
      case 0:
        return code.slice(0, -1); // a digit dropped
      case 1:
        return `${code}${code.at(-1)}`; // a key bounced
      case 2:
        return `O${code.slice(1)}`; // a letter misread
      default:
        return code.toLowerCase();
    }
  };
  return Array.from({ length: count }, () => {
    if (kind === "hits") return hit();
    if (kind === "unknown codes") return unknown();
    if (kind === "mistyped codes") return mistyped();
    const roll = pick(10);
    return roll < 8 ? hit() : roll === 8 ? unknown() : mistyped();
  });
}

/**
 * Validation of one-coupon baskets, timed a batch of 1000 at a time (one clock read per batch, not
 * per check) for hits and for the misses a shop really sees, against a raw Map.get of the same
 * strings. Figures are per check: the median and the worst batch.
 */
export function runValidateBench(store: CouponStore, codes: number, board: Scoreboard): void {
  const raw = new Map<string, { campaign: string; uses: number }>();
  for (let i = 0; i < codes; i++) raw.set(benchCode(i), { campaign: "c", uses: 1 });
  const kinds: Kind[] = [
    "hits",
    "unknown codes",
    "mistyped codes",
    "a shift's mix (80% hits, 10% unknown, 10% mistyped)",
  ];
  let sink = 0;
  for (const kind of kinds) {
    const names = scans(kind, codes, BATCH * BATCHES);
    let accepted = 0;
    for (const code of names)
      if (store.check({ amount: 12_850, coupons: [{ code }] }, NOW).committable) accepted++;
    const quan = new Float64Array(BATCHES);
    const map = new Float64Array(BATCHES);
    // Round 0 warms up the JIT; round 1 is measured.
    for (let round = 0; round < 2; round++) {
      for (let b = 0; b < BATCHES; b++) {
        const from = b * BATCH;
        const t0 = process.hrtime.bigint();
        for (let i = from; i < from + BATCH; i++) {
          sink += store.check({ amount: 12_850, coupons: [{ code: names[i] as string }] }, NOW).payable;
        }
        const t1 = process.hrtime.bigint();
        for (let i = from; i < from + BATCH; i++) sink += raw.get(names[i] as string)?.uses ?? 0;
        const t2 = process.hrtime.bigint();
        quan[b] = Number(t1 - t0) / BATCH;
        map[b] = Number(t2 - t1) / BATCH;
      }
    }
    const q = summarize(quan);
    const m = summarize(map);
    board.record({
      what: `validate one code, ${kind}: median per check`,
      value: q.p50,
      unit: "µs",
      baseline: { label: "Map.get of the same strings", value: m.p50 },
      note: `worst batch ${q.max.toFixed(2)} µs per check; ${((100 * accepted) / names.length).toFixed(0)}% accepted`,
    });
  }
  if (sink === -1) console.log(sink);
}
