import type { CouponCode } from "./schema.js";

/**
 * The `codeSchema` rules written out by hand: zod costs about a microsecond and several objects per
 * code, which for a million codes is most of an import's time and memory. A test holds this to
 * exactly what `codeSchema` accepts. Unknown fields are dropped, as zod does.
 */
const CODE = /^[0-9A-Za-z][0-9A-Za-z_-]{3,63}$/;
const MEMBER = /^[0-9a-f]{64}$/;
const TOTP = /^[A-Z2-7]{16,}=*$/;

/** The checked code, or the problem as `field: message`. */
export function checkCode(raw: unknown): CouponCode | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "(code): expected an object";
  const r = raw as Record<string, unknown>;
  if (typeof r.code !== "string" || !CODE.test(r.code))
    return "code: 4-64 characters of 0-9 A-Z a-z _ -, starting with a letter or digit";
  if (typeof r.campaign !== "string" || r.campaign.length === 0) return "campaign: expected a campaign id";
  let uses = 1;
  if (r.uses !== undefined) {
    if (typeof r.uses !== "number" || !Number.isSafeInteger(r.uses) || r.uses <= 0)
      return "uses: expected a positive integer";
    uses = r.uses;
  }
  const out: CouponCode = { code: r.code, campaign: r.campaign, uses };
  if (r.member !== undefined) {
    if (typeof r.member !== "string" || !MEMBER.test(r.member))
      return "member: a SHA-256 hex of salt + member id";
    out.member = r.member;
  }
  if (r.totp !== undefined) {
    if (typeof r.totp !== "string" || !TOTP.test(r.totp)) return "totp: a base32 secret of at least 80 bits";
    out.totp = r.totp;
  }
  return out;
}
