import { describe, expect, it } from "vitest";
import type { RedeemEntry, VoidEntry } from "../../../src/protocol/journal/index.js";
import { CSV_COLUMNS, journalToCsv } from "../../../src/runtime/ledger/csv-export.js";
import { hasControlCharacters, openAsSpreadsheet, runsAsFormula } from "../../helpers/spreadsheet-csv.js";

// What a cashier name, a --store, a gift or a campaign id could carry into the month-end file.
const HOSTILE = [
  "=1+1",
  " =1+1",
  '\u200B=HYPERLINK("http://x","y")',
  "\uFEFF+SUM(A1)",
  "\u00A0\u3000-2+3",
  "@cmd",
  "\t=1",
  "\r=1",
  "-1+1",
  "＝1+1",
  "\x1b[31mred\x1b[0m",
  "a\nb",
  "li\u0007",
];

function redeem(i: number, hostile: string): RedeemEntry {
  return {
    type: "redeem",
    id: `R${i}`,
    at: new Date(Date.UTC(2026, 2, 4, 4, 0, i)).toISOString(),
    terminal: hostile,
    store: hostile,
    cashier: hostile,
    currency: "CNY",
    amount: 12850,
    discount: 3570,
    payable: 9280,
    lines: [
      { code: "PCT-0001", campaign: hostile, discount: 2570, gift: hostile },
      { code: "CASH-0001", campaign: "cash", discount: 1000, gift: "咖啡一杯" },
    ],
    listVersion: 1,
  };
}

const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);

describe("the reconciliation CSV opened in a spreadsheet", () => {
  const entries = HOSTILE.flatMap((h, i): (RedeemEntry | VoidEntry)[] => {
    const r = redeem(i, h);
    if (i % 2) return [r];
    return [r, { type: "void", id: `V${i}`, target: r.id, at: r.at, terminal: h, cashier: h }];
  });
  const { rows } = openAsSpreadsheet(Buffer.from(journalToCsv(entries, "Asia/Shanghai"), "utf8"));

  it("runs no cell as a formula and carries no control characters", () => {
    expect(rows.length).toBeGreaterThan(HOSTILE.length * 2);
    for (const row of rows) {
      expect(row).toHaveLength(CSV_COLUMNS.length);
      for (const cell of row) {
        expect(runsAsFormula(cell), JSON.stringify(cell)).toBe(false);
        expect(hasControlCharacters(cell), JSON.stringify(cell)).toBe(false);
      }
    }
  });

  it("keeps the text readable: the value follows the neutralising mark", () => {
    const cashiers = rows.slice(1).map((r) => r[col("cashier")]);
    expect(cashiers).toContain("'=1+1");
    expect(cashiers).toContain("' =1+1");
    expect(cashiers.some((c) => c?.includes("red"))).toBe(true);
    expect(rows.slice(1).map((r) => r[col("gift")])).toContain("咖啡一杯");
  });

  it("keeps money columns numbers, so each sums to what was really given", () => {
    const sum = (name: "bill" | "line_discount" | "payable") =>
      rows.slice(1).reduce((s, r) => {
        const cell = r[col(name)] as string;
        if (cell === "") return s;
        expect(cell).toMatch(/^-?\d+\.\d\d$/);
        return s + Math.round(Number(cell) * 100);
      }, 0);
    const kept = HOSTILE.filter((_h, i) => i % 2).length;
    expect(sum("bill")).toBe(kept * 12850);
    expect(sum("line_discount")).toBe(kept * 3570);
    expect(sum("payable")).toBe(kept * 9280);
  });
});
