import { afterEach, describe, expect, it } from "vitest";
import { encodeEscPos } from "../../../src/runtime/receipts/escpos/escpos-encoder.js";
import { reportName } from "../../../src/runtime/receipts/labels.js";
import { receiptForJob } from "../../../src/runtime/receipts/receipt-for-job.js";
import { menuScreen } from "../../../src/ui-tty/screens/menu.js";
import { decodeEscPos } from "../../helpers/escpos-decode.js";
import { MANAGER_PIN, makeStore, type StoreFixture } from "../../helpers/store-fixture.js";
import { baseView } from "../../ui-tty/views.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
let fx: StoreFixture;
afterEach(() => fx?.cleanup());

const settings = {
  storeName: "好邻居便利店",
  terminal: "T1",
  locale: "zh-CN" as const,
  paperWidth: 58 as const,
};
const printed = (blocks: Parameters<typeof encodeEscPos>[0]) =>
  decodeEscPos(encodeEscPos(blocks, { width: 32, qr: "raster" }));

describe("what the terminal prints for each job", () => {
  it("a redemption, its void slip and the Z report, read back from the ESC/POS bytes", () => {
    fx = makeStore(
      [{ id: "pct", name: { zh: "全场八折", en: "20% off" }, kind: "percent", percentOff: 20 }],
      [
        { code: "PCT-0001", campaign: "pct" },
        { code: "PCT-0002", campaign: "pct" },
      ],
    );
    const a = fx.store.redeem({ amount: 12850, coupons: [{ code: "PCT-0001" }] }, NOW, "李雷");
    const b = fx.store.redeem({ amount: 5000, coupons: [{ code: "PCT-0002" }] }, NOW + 60_000, "李雷");
    if (!a.committed || !b.committed) throw new Error("expected commits");
    const voided = fx.store.voidRedemption(b.entry.id, NOW + 120_000, "manager", MANAGER_PIN);

    const receipt = printed(receiptForJob({ kind: "redemption", entry: a.entry }, fx.store, settings).blocks);
    const text = receipt.lines.join("\n");
    expect(text).toMatch(/券核销凭证/);
    expect(text).toMatch(/全场八折 +-￥25\.70/);
    expect(text).toMatch(/实付 +￥102\.80/);
    expect(text).toMatch(/2026-03-04 12:00:00/); // the store's timezone, not UTC
    expect(receipt.qr).toEqual([a.entry.id]);
    expect(receipt.cut).toBe(true);

    const copy = printed(
      receiptForJob({ kind: "redemption", entry: a.entry, reprint: true }, fx.store, settings).blocks,
    );
    expect(copy.lines[0]).toMatch(/重打印 副本/);
    expect(receipt.lines.join("\n")).not.toMatch(/重打印/);

    const slip = printed(
      receiptForJob({ kind: "void", entry: voided, original: b.entry }, fx.store, settings).blocks,
    );
    expect(slip.lines.join("\n")).toMatch(/撤销/);
    expect(slip.lines.join("\n")).toContain(b.entry.id.slice(-8));

    const zJob = { kind: "report", report: "Z", no: 7, from: NOW - 3_600_000, to: NOW + 3_600_000 } as const;
    const z = printed(receiptForJob(zJob, fx.store, settings).blocks);
    const report = z.lines.join("\n");
    expect(z.lines[0]?.trim()).toBe("日结报表(Z)");
    expect(report).toMatch(/日结号：7/);
    expect(report).toMatch(/全场八折/);
    // Two redemptions as they happened; the void is the discount given back, never one more
    // discount; the net figures are the first minus the second.
    expect(report).toMatch(/全场八折 +2笔\n +消费金额 +￥178\.50\n +优惠 +-￥35\.70/);
    expect(report).toMatch(/核销 +2笔\n +消费金额 +￥178\.50\n +优惠 +-￥35\.70\n +实付 +￥142\.80/);
    expect(report).toMatch(/撤销 +1笔\n +消费金额 +￥50\.00\n +退回优惠 +￥10\.00\n +实付 +￥40\.00/);
    expect(report).not.toMatch(/撤销 +1笔\n +优惠 +-/);
    expect(report).toMatch(/净核销 +1笔\n消费合计 +￥128\.50\n优惠合计 +-￥25\.70\n实付合计 +￥102\.80/);
    expect(report).not.toMatch(/副本/);

    // A Z printed again is marked as a copy, with the same number and figures.
    const zCopy = printed(receiptForJob({ ...zJob, reprint: true }, fx.store, settings).blocks);
    expect(zCopy.lines[0]).toMatch(/重打印 副本/);
    expect(zCopy.lines.slice(1).join("\n")).toBe(report);
    expect(report).not.toMatch(/核销冲突/);

    // Open conflicts flagged by the merchant are on the report, after the totals.
    const withConflict = printed(receiptForJob({ ...zJob, conflicts: 2 }, fx.store, settings).blocks);
    expect(withConflict.lines.join("\n")).toMatch(/实付合计 +￥102\.80\n-+\n核销冲突 2 笔，请与商户核对/);
  });

  it("an X report's name is the one the menu shows, in both locales", () => {
    fx = makeStore(
      [{ id: "pct", name: "P", kind: "percent", percentOff: 20 }],
      [{ code: "P-0001", campaign: "pct" }],
    );
    const x = (locale: "zh-CN" | "en") =>
      printed(
        receiptForJob({ kind: "report", report: "X", from: NOW, to: NOW + 1 }, fx.store, {
          ...settings,
          locale,
        }).blocks,
      ).lines[0]?.trim();
    expect(x("zh-CN")).toBe(reportName("X", "zh-CN"));
    expect(x("en")).toBe(reportName("X", "en"));
    const menu = (locale: "zh-CN" | "en") =>
      menuScreen({ ...baseView, screen: { name: "menu" } }, { cols: 48, rows: 20, locale })
        .map((l) => l.text)
        .join("\n");
    expect(menu("zh-CN")).toContain(`3  ${x("zh-CN")}`);
    expect(menu("en")).toContain(`3  ${x("en")}`);
  });
});
