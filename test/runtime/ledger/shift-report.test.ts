import { describe, expect, it } from "vitest";
import type { RedeemEntry, VoidEntry } from "../../../src/protocol/journal/index.js";
import { buildShiftReport } from "../../../src/runtime/ledger/shift-report.js";

const redeem = (id: string, amount: number, lines: [string, number][]): RedeemEntry => ({
  type: "redeem",
  id,
  at: "2026-03-04T04:00:00.000Z",
  terminal: "T1",
  store: "S1",
  cashier: "c",
  currency: "CNY",
  amount,
  discount: lines.reduce((s, [, d]) => s + d, 0),
  payable: amount - lines.reduce((s, [, d]) => s + d, 0),
  lines: lines.map(([campaign, discount], i) => ({ code: `${id}-${i}`, campaign, discount })),
  listVersion: 1,
});

describe("X/Z report figures", () => {
  it("count per campaign, and voids come off the totals once", () => {
    const yesterday = redeem("R0", 5000, [["cash", 1000]]);
    const a = redeem("R1", 12850, [
      ["pct", 2570],
      ["cash", 1000],
    ]);
    const b = redeem("R2", 3000, [["cash", 1000]]);
    const voidB: VoidEntry = {
      type: "void",
      id: "V1",
      target: "R2",
      at: "2026-03-04T05:00:00.000Z",
      terminal: "T1",
      cashier: "m",
    };
    const voidOld: VoidEntry = {
      type: "void",
      id: "V2",
      target: "R0",
      at: "2026-03-04T05:00:00.000Z",
      terminal: "T1",
      cashier: "m",
    };
    const byId = new Map([yesterday, a, b].map((e) => [e.id, e]));
    const report = buildShiftReport("Z", { from: 0, to: 1e13 }, "T1", [a, b, voidB, voidOld], (id) =>
      byId.get(id),
    );
    expect(report.rows).toEqual([
      { campaign: "cash", count: 2, discount: 2000, amount: 15850 },
      { campaign: "pct", count: 1, discount: 2570, amount: 12850 },
    ]);
    // Redeemed as it happened, given back by voids, and the net as the difference.
    expect(report.redeemed).toEqual({ count: 2, amount: 15850, discount: 4570, payable: 11280 });
    expect(report.voids).toEqual({ count: 2, amount: 8000, discount: 2000, payable: 6000 });
    expect(report.totals).toEqual({
      count: 0,
      amount: 12850 + 3000 - 3000 - 5000,
      discount: 3570 + 1000 - 1000 - 1000,
      payable: 9280 + 2000 - 2000 - 4000,
    });
  });
});
