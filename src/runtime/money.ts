/**
 * Money is an integer number of minor units (fen, cents). Major-unit strings such as "128.50" are
 * parsed digit by digit, never through a float.
 */

export type RoundingMode = "half_up" | "down" | "half_even";

export class MoneyFormatError extends Error {
  override name = "MoneyFormatError";
}

const MAX_MINOR = Number.MAX_SAFE_INTEGER;

/**
 * The largest bill the terminal takes, in minor units (99999.99 for a 2-decimal currency): the
 * keypad's limit and the CLI's are this one number.
 */
export const MAX_BILL_MINOR = 9_999_999;

/** Parses "128.50", "128.5", "128" or "0.01" into minor units; rejects anything else. */
export function parseMoney(text: string, decimals = 2): number {
  const m = /^(\d{1,13})(?:\.(\d*))?$/.exec(text.trim());
  if (!m)
    throw new MoneyFormatError(
      `"${text}" is not an amount (expected digits with at most ${decimals} decimals, e.g. 128.50)`,
    );
  const whole = m[1] ?? "0";
  const frac = m[2] ?? "";
  if (frac.length > decimals) {
    throw new MoneyFormatError(`"${text}" has more than ${decimals} decimals`);
  }
  const minor = Number(whole) * 10 ** decimals + Number(frac.padEnd(decimals, "0") || "0");
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR) throw new MoneyFormatError(`"${text}" is too large`);
  return minor;
}

/** Formats minor units as a plain major-unit string: 12850 -> "128.50". */
export function formatMajor(minor: number, decimals = 2): string {
  assertMinor(minor);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  if (decimals === 0) return `${sign}${abs}`;
  const unit = 10 ** decimals;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(decimals, "0")}`;
}

/** "￥128.50" for CNY (the full-width sign prints on GBK-only printers; "¥" does not). */
export function formatMoney(minor: number, currency: string): string {
  const symbol = CURRENCY_SYMBOLS[currency];
  const digits = CURRENCY_DECIMALS[currency] ?? 2;
  return symbol ? `${symbol}${formatMajor(minor, digits)}` : `${formatMajor(minor, digits)} ${currency}`;
}

const CURRENCY_SYMBOLS: Record<string, string> = { CNY: "￥", USD: "$", EUR: "€", HKD: "HK$", TWD: "NT$" };
const CURRENCY_DECIMALS: Record<string, number> = { CNY: 2, USD: 2, EUR: 2, HKD: 2, TWD: 0, JPY: 0 };

export function currencyDecimals(currency: string): number {
  return CURRENCY_DECIMALS[currency] ?? 2;
}

/** Integer division numerator/denominator (both non-negative) rounded by `mode`. */
export function divideRounded(numerator: number, denominator: number, mode: RoundingMode): number {
  if (
    !Number.isSafeInteger(numerator) ||
    !Number.isSafeInteger(denominator) ||
    numerator < 0 ||
    denominator <= 0
  ) {
    throw new RangeError(`divideRounded needs non-negative safe integers, got ${numerator}/${denominator}`);
  }
  const q = Math.floor(numerator / denominator);
  const r = numerator - q * denominator;
  if (mode === "down" || r === 0) return q;
  const twice = 2 * r;
  if (twice > denominator) return q + 1;
  if (twice < denominator) return q;
  return mode === "half_up" ? q + 1 : q % 2 === 0 ? q : q + 1;
}

function assertMinor(minor: number): void {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${minor} is not an integer amount of minor units`);
}
