import type { CouponListInput } from "../src/protocol/coupon-list/index.js";

import { demoCampaigns, demoList } from "../src/runtime/demo/demo-list.js";

/**
 * The demo list's campaigns (src/runtime/demo/demo-list.ts) over `count` generated single-use
 * codes: every kind, and every fifth code in the campaign that has ended (refused at any hour).
 * Version N is issued on day N of 2026, so a terminal's clock is always after it.
 */
export function bigList(count: number, version = 1): CouponListInput {
  const issuedAt = Date.parse("2026-01-01T00:00:00Z") + (version - 1) * 86_400_000;
  const ids = CAMPAIGN_ORDER;
  const codes: CouponListInput["codes"] = new Array(count);
  for (let i = 0; i < count; i++) codes[i] = { code: benchCode(i), campaign: ids[i % ids.length] as string };
  return demoList(issuedAt + 60_000, version, { merchant: "m-bench", codes });
}

/** The campaigns the codes take in turn: the demo's, but for the member-bound one. */
const CAMPAIGN_ORDER = ["pct20", "cash10", "thr100", "old", "tea"] as const;
const ENDED = CAMPAIGN_ORDER.indexOf("old");
if (!demoCampaigns(0).some((c) => c.id === "old")) throw new Error("the demo list lost its ended campaign");

export const CODE_BYTES = 12;
export const benchCode = (i: number) => `Q${String(i).padStart(11, "0")}`;

/** The k-th code that redeems: every fifth code (i % 5 === ENDED) is in the campaign that has ended. */
export const anytimeCode = (k: number) =>
  benchCode(Math.floor(k / 4) * 5 + ([0, 1, 2, 3, 4].filter((r) => r !== ENDED)[k % 4] as number));

/** The same codes packed as a sorted table of fixed-width ASCII (the start-up and look-up baseline). */
export function sortedCodeTable(count: number): Buffer {
  const table = Buffer.alloc(count * CODE_BYTES);
  for (let i = 0; i < count; i++) table.write(benchCode(i), i * CODE_BYTES, "latin1");
  return table;
}
