import type { RedeemEntry, VoidEntry } from "../../../src/protocol/journal/index.js";
import type { ShiftReport } from "../../../src/runtime/ledger/shift-report.js";
import type { PaperColumns, ReceiptContext, ReceiptLocale } from "../../../src/runtime/receipts/model.js";

/** A store, a redemption, its void and a day's report, with names long enough to need wrapping. */

export const LONG_STORE_NAME = "上海人民广场旗舰店（南京东路步行街二号入口）";
export const LONG_CAMPAIGN_ZH = "周末特惠满100减20元会员专享超值活动";
export const LONG_CAMPAIGN_EN = "Weekend special: ￥20 off any bill over ￥100 for members";
export const REDEMPTION_ID = "01JD2K3M4N5P6Q7R8S9T0V1W2X";

const CAMPAIGNS: Record<string, Record<ReceiptLocale, string>> = {
  weekend: { "zh-CN": LONG_CAMPAIGN_ZH, en: LONG_CAMPAIGN_EN },
  coffee: { "zh-CN": "免费咖啡", en: "Free coffee" },
};

export function context(
  locale: ReceiptLocale,
  width: PaperColumns,
  storeName = LONG_STORE_NAME,
): ReceiptContext {
  return {
    storeName,
    terminal: "T-01",
    locale,
    timezone: "Asia/Shanghai",
    currency: "CNY",
    width,
    campaignName: (id) => CAMPAIGNS[id]?.[locale] ?? id,
  };
}

export function redemption(): RedeemEntry {
  return {
    type: "redeem",
    id: REDEMPTION_ID,
    at: "2026-11-22T10:30:05.000Z",
    terminal: "T-01",
    store: "sh-001",
    cashier: "0007",
    currency: "CNY",
    amount: 12850,
    discount: 2000,
    payable: 10850,
    lines: [
      { code: "WKND2026ABCD1234", campaign: "weekend", discount: 2000 },
      { code: "CAFE00005678", campaign: "coffee", discount: 0, gift: "拿铁一杯" },
    ],
    listVersion: 3,
  };
}

export function voidOf(entry: RedeemEntry): VoidEntry {
  return {
    type: "void",
    id: "01JD2M0000000000000000000V",
    target: entry.id,
    at: "2026-11-22T10:41:00.000Z",
    terminal: "T-01",
    cashier: "0001",
    reason: "顾客取消",
  };
}

export function dayReport(kind: "X" | "Z" = "Z"): ShiftReport {
  return {
    kind,
    ...(kind === "Z" ? { no: 12 } : {}),
    from: "2026-11-21T16:00:00.000Z",
    to: "2026-11-22T16:00:00.000Z",
    terminal: "T-01",
    rows: [
      { campaign: "weekend", count: 13, discount: 26000, amount: 158600 },
      { campaign: "coffee", count: 3, discount: 0, amount: 9000 },
    ],
    redeemed: { count: 16, amount: 167600, discount: 26000, payable: 141600 },
    voids: { count: 1, amount: 5000, discount: 2000, payable: 3000 },
    totals: { count: 15, amount: 162600, discount: 24000, payable: 138600 },
  };
}

export const LOCALES: ReceiptLocale[] = ["zh-CN", "en"];
export const WIDTHS: PaperColumns[] = [32, 48];
