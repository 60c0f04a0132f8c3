/**
 * What a scanner or the keypad delivers, turned into a coupon reference.
 * Accepted forms: `CODE`, and for dynamic codes `CODE*123456` (code, then the 6-digit TOTP token).
 * A leading AIM symbology identifier (`]Q1`, `]E0`, ...) is stripped by the scanner driver, not here.
 */
export interface ScannedCoupon {
  code: string;
  token?: string;
}

export class ScanFormatError extends Error {
  override name = "ScanFormatError";
}

const CODE = /^[0-9A-Za-z][0-9A-Za-z_-]{3,63}$/;

export function parseScan(raw: string): ScannedCoupon {
  const text = raw.trim();
  const star = text.lastIndexOf("*");
  const code = star >= 0 ? text.slice(0, star) : text;
  const token = star >= 0 ? text.slice(star + 1) : undefined;
  if (!CODE.test(code)) {
    throw new ScanFormatError(`"${printable(text)}" is not a coupon code (4-64 letters, digits, _ or -)`);
  }
  if (token !== undefined && !/^\d{6,8}$/.test(token)) {
    throw new ScanFormatError(`"${printable(text)}": the part after * must be a 6-8 digit dynamic token`);
  }
  return token === undefined ? { code } : { code, token };
}

function printable(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return shown.replace(/[^\x20-\x7e\u00a0-\uffff]/g, "?");
}
