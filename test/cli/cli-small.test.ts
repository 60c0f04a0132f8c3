import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { FLOW_DEFAULTS } from "../../src/runtime/flow/flow.js";
import { formatMajor } from "../../src/runtime/money.js";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { journalRecords } from "../helpers/journal-files.js";
import { hasControlCharacters, openAsSpreadsheet, runsAsFormula } from "../helpers/spreadsheet-csv.js";
import { listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const campaigns = [
  { id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000, stackable: true },
  {
    id: "gift",
    name: "Gift",
    kind: "gift" as const,
    gift: { zh: "咖啡一杯", en: "A coffee" },
    stackable: true,
  },
];
const codes = [
  { code: "CASH-0001", campaign: "cash" },
  { code: "CASH-0002", campaign: "cash" },
  { code: "GIFT-0001", campaign: "gift" },
];

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  const signed = await signList(ws, listDocument(campaigns, codes));
  expect((await quan(["coupons", "import", signed, "--config", ws.config], {}, NOW)).code).toBe(0);
});

describe("quan --version", () => {
  it("prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8"));
    expect(await quan(["--version"])).toEqual({ code: 0, out: `quan ${version}\n`, err: "" });
  });
});

describe("the largest bill", () => {
  it("is the same for the CLI as for the keypad", async () => {
    const max = formatMajor(FLOW_DEFAULTS.maxAmount);
    const over = formatMajor(FLOW_DEFAULTS.maxAmount + 1);
    const args = (amount: string) => [
      "coupons",
      "check",
      "--code",
      "CASH-0001",
      "--amount",
      amount,
      "--config",
      ws.config,
    ];
    expect((await quan(args(max), {}, NOW)).code).toBe(0);
    expect(await quan(args(over), {}, NOW)).toMatchObject({
      code: 2,
      err: expect.stringContaining(`--amount: ${over} is more than the largest bill (${max})`),
    });
    expect((await quan(args("99999999.99"), {}, NOW)).code).toBe(2);
  });
});

describe("journal export", () => {
  async function exportBytes(...args: string[]): Promise<Buffer> {
    const r = await quan(["journal", "export", ...args, "--config", ws.config]);
    expect(r).toMatchObject({ code: 0, err: "" });
    return Buffer.from(r.out, "utf8");
  }

  it("is CSV by default, with a BOM so Excel and WPS read the Chinese; --no-bom leaves it out", async () => {
    const redeem = await quan(
      ["redeem", "--code", "GIFT-0001", "--amount", "30", "--cashier", "李雷", "--config", ws.config],
      {},
      NOW,
    );
    expect(redeem.code).toBe(0);
    const sheet = openAsSpreadsheet(await exportBytes());
    expect(sheet.hasBom).toBe(true);
    const header = sheet.rows[0] as string[];
    expect(sheet.rows[1]?.[header.indexOf("cashier")]).toBe("李雷");
    expect(sheet.rows[1]?.[header.indexOf("gift")]).toBe("咖啡一杯");
    expect(await exportBytes("--format", "csv")).toEqual(await exportBytes());
    const plain = await exportBytes("--no-bom");
    expect(plain.subarray(0, 4).toString()).toBe("type");
    expect((await quan(["journal", "export", "--format", "xlsx", "--config", ws.config])).code).toBe(2);
  });

  it("--from/--to: a void in range brings the rows it cancels, even of a redemption before the range", async () => {
    const redeemAt = async (code: string, at: number) => {
      const r = await quan(
        ["redeem", "--code", code, "--amount", "50", "--json", "--config", ws.config],
        {},
        at,
      );
      expect(r.code).toBe(0);
      return JSON.parse(r.out).redemption as string;
    };
    const early = await redeemAt("CASH-0001", NOW);
    await redeemAt("CASH-0002", NOW + 60_000);
    const voided = await quan(["void", early, "--pin", "2468", "--config", ws.config], {}, NOW + 120_000);
    expect(voided.code).toBe(0);
    await redeemAt("GIFT-0001", NOW + 180_000);
    const iso = (t: number) => new Date(t).toISOString();
    const { rows } = openAsSpreadsheet(
      await exportBytes("--from", iso(NOW + 60_000), "--to", iso(NOW + 180_000)),
    );
    const header = rows[0] as string[];
    const col = (name: string) => header.indexOf(name);
    expect(rows.slice(1).map((r) => [r[col("type")], r[col("code")], r[col("line_discount")]])).toEqual([
      ["redeem", "CASH-0002", "10.00"],
      ["void", "CASH-0001", "-10.00"],
    ]);
    expect(rows[2]?.[col("redemption_id")]).toBe(early);
  });

  it("what a cashier typed or a config's store id holds never runs as a formula", async () => {
    const hostile = [" =1+1", '\u200B=HYPERLINK("http://x")', "\x1b[2J"];
    for (const [i, cashier] of hostile.entries()) {
      const code = ["CASH-0001", "CASH-0002", "GIFT-0001"][i] as string;
      const args = ["redeem", "--code", code, "--amount", "50", "--cashier", cashier];
      // The store id comes from the terminal's config (redeem takes no --store).
      const env = i === 0 ? { QUAN_TERMINAL__STORE: "@SUM(1)" } : {};
      const r = await quan([...args, "--config", ws.config], env, NOW + i);
      expect(r.code, r.out + r.err).toBe(0);
    }
    const { rows } = openAsSpreadsheet(await exportBytes());
    expect(rows.length).toBe(4);
    const header = rows[0] as string[];
    expect(rows[1]?.[header.indexOf("store")]).toMatch(/@SUM\(1\)/);
    for (const cell of rows.flat()) {
      expect(runsAsFormula(cell), JSON.stringify(cell)).toBe(false);
      expect(hasControlCharacters(cell), JSON.stringify(cell)).toBe(false);
    }
  });
});

describe("--store is a dry-run option", () => {
  it("redeem refuses it with exit 2 and commits nothing: the store is the terminal's own", async () => {
    const r = await quan(
      ["redeem", "--code", "CASH-0001", "--amount", "50", "--store", "S2", "--config", ws.config],
      {},
      NOW,
    );
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/--store .*dry run.*coupons check/) });
    expect(journalRecords(ws.data)).toEqual([]);
    // coupons check still takes it.
    const check = ["coupons", "check", "--code", "CASH-0001", "--amount", "50", "--store", "S2"];
    expect((await quan([...check, "--config", ws.config], {}, NOW)).code).toBe(0);
  });
});
