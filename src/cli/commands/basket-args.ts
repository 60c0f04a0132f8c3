import { parseScan, ScanFormatError } from "../../runtime/coupons/scan-payload.js";
import type { BasketInput } from "../../runtime/engine/basket.js";
import { localize, offerLabel } from "../../runtime/engine/labels.js";
import type { BasketVerdict } from "../../runtime/engine/verdict.js";
import {
  formatMajor,
  formatMoney,
  MAX_BILL_MINOR,
  MoneyFormatError,
  parseMoney,
} from "../../runtime/money.js";
import type { CouponStore } from "../../runtime/store/coupon-store.js";
import { formatLocalDateTime } from "../../runtime/time/zoned.js";
import { CliError, type Io } from "../cli-error.js";
import { jsonOption, terminalOptions } from "../common-options.js";

export const basketArgs = {
  code: { type: "string", multiple: true },
  amount: { type: "string" },
  at: { type: "string" },
  member: { type: "string" },
  store: { type: "string" },
  cashier: { type: "string" },
  ...jsonOption,
  ...terminalOptions,
} as const;

export interface BasketValues {
  code?: string[] | undefined;
  amount?: string | undefined;
  at?: string | undefined;
  member?: string | undefined;
}

export function basketFromArgs(
  values: BasketValues,
  store: CouponStore,
  io: Io,
): { basket: BasketInput; now: number } {
  if (!values.code?.length || values.amount === undefined) {
    throw new CliError(
      "usage: --code CODE [--code CODE2 ...] --amount 128.50 [--at ISO] [--member ID] [--store S] [--json]",
    );
  }
  let amount: number;
  try {
    amount = parseMoney(values.amount);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw new CliError(`--amount: ${err.message}`);
    throw err;
  }
  if (amount > MAX_BILL_MINOR)
    throw new CliError(
      `--amount: ${values.amount} is more than the largest bill (${formatMajor(MAX_BILL_MINOR)}), as on the keypad`,
    );
  let now = io.now();
  if (values.at !== undefined) {
    now = Date.parse(values.at);
    if (!/(Z|[+-]\d\d:\d\d)$/.test(values.at) || Number.isNaN(now)) {
      throw new CliError(
        `--at: "${values.at}" is not an instant (ISO 8601 with Z or an offset, e.g. 2026-03-04T12:00:00+08:00)`,
      );
    }
  }
  const coupons = values.code.map((c) => {
    try {
      return parseScan(c);
    } catch (err) {
      if (err instanceof ScanFormatError) throw new CliError(`--code: ${err.message}`);
      throw err;
    }
  });
  const basket: BasketInput = { amount, coupons };
  if (values.member !== undefined) basket.member = store.memberHash(values.member);
  return { basket, now };
}

/** The verdict as JSON (amounts in minor units and as text) or as lines a technician reads. */
export function printVerdict(
  v: BasketVerdict,
  store: CouponStore,
  locale: "zh-CN" | "en",
  json: boolean,
  io: Io,
  extra: Record<string, unknown> = {},
): void {
  const currency = store.index()?.currency ?? "CNY";
  const timezone = store.index()?.timezone ?? "UTC";
  const lines = v.lines.map((l) => {
    const base = { code: l.code, ok: l.ok, campaign: l.campaign?.id ?? null };
    if (!l.ok) return { ...base, reason: l.reason, ...(l.lastUse ? { lastUse: l.lastUse } : {}) };
    return {
      ...base,
      offer: offerLabel(l.campaign, locale, currency),
      name: localize(l.campaign.name, locale),
      discount: l.discount,
      payable: l.payable,
      ...(l.otpStep !== undefined ? { otpStep: l.otpStep } : {}),
      ...(l.gift ? { gift: localize(l.gift, locale) } : {}),
    };
  });
  const result = {
    ok: v.committable,
    currency,
    amount: v.amount,
    discount: v.discount,
    payable: v.payable,
    amountText: formatMajor(v.amount),
    discountText: formatMajor(v.discount),
    payableText: formatMajor(v.payable),
    lines,
    ...extra,
  };
  if (json) {
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  for (const l of lines) {
    io.out(
      l.ok
        ? `${l.code}: OK  ${"offer" in l ? l.offer : ""}  -${formatMoney("discount" in l ? (l.discount as number) : 0, currency)}\n`
        : `${l.code}: REFUSED (${"reason" in l ? l.reason : ""}${"lastUse" in l && l.lastUse ? usedAt(l.lastUse, timezone) : ""})\n`,
    );
  }
  io.out(
    `bill ${formatMoney(v.amount, currency)}  discount ${formatMoney(v.discount, currency)}  to pay ${formatMoney(v.payable, currency)}\n`,
  );
  for (const [k, val] of Object.entries(extra)) io.out(`${k}: ${String(val)}\n`);
}

/** " at S1/T02 2026-03-04 11:30": where and when a used code was used (this till or another). */
function usedAt(use: { at: string; store: string; terminal: string }, timezone: string): string {
  return ` at ${use.store}/${use.terminal} ${formatLocalDateTime(Date.parse(use.at), timezone).slice(0, 16)}`;
}
