import type { ScannedCoupon } from "../coupons/scan-payload.js";
import { decodeBase32, matchTotp } from "../coupons/totp.js";
import { memberKey, tokenKey, type UsageState } from "../ledger/usage.js";
import { withinWindows, zonedMoment } from "../time/zoned.js";
import type { CouponIndex } from "./coupon-index.js";
import { discountFor, minimumSpend } from "./discount.js";
import type { Accepted, Rejected, RejectionReason, Verdict } from "./verdict.js";

/** What the terminal knows about itself and its clock. */
export interface TerminalContext {
  store: string;
  terminal: string;
  /** Latest trusted instant seen (epoch ms): signed merchant time, the NTP-synchronised clock. */
  trustedTime: number;
  /**
   * The trusted time is further ahead of the clock than any source could vouch for (an older
   * version let unsigned input set it): neither it nor the clock can be believed, so time-limited
   * coupons are refused as clock_unverified before their dates are looked at.
   */
  trustedTimeInDoubt?: boolean;
  /** How far the clock may lag the trusted time before it is considered wrong. */
  clockToleranceMs: number;
  /**
   * The merchant link is configured and down, and the offline policy refuses: campaigns marked
   * `onlineOnly`, and (`listStale`) every coupon once the list in force is older than allowed.
   */
  offline?: { refuseOnlineOnly: boolean; listStale: boolean };
}

/** A coupon scanned earlier into the same basket and accepted. */
export type EarlierLine = Pick<Accepted, "code" | "campaign" | "otpStep">;

export interface CouponRequest {
  scan: ScannedCoupon;
  /** Running payable the coupon would apply to. */
  payable: number;
  /** Salted member hash, when the cashier identified the member. */
  member?: string;
  earlier: readonly EarlierLine[];
}

/**
 * Decides whether one coupon may be redeemed now. Pure: reads the index and the counters, takes
 * the clock reading as an argument, never writes.
 */
export function validateCoupon(
  index: CouponIndex,
  usage: UsageState,
  req: CouponRequest,
  clockNow: number,
  ctx: TerminalContext,
): Verdict {
  const { code: codeText, token } = req.scan;
  const code = index.codes.get(codeText);
  const campaign = code && index.campaigns.get(code.campaign);
  if (!code || !campaign) return reject(codeText, "unknown");
  const no = (reason: RejectionReason): Rejected => reject(codeText, reason, campaign);

  if (index.revokedCodes.has(codeText) || index.revokedCampaigns.has(campaign.id)) return no("revoked");
  if (campaign.stores && !campaign.stores.includes(ctx.store)) return no("wrong_store");
  if (ctx.offline?.listStale) return no("offline_list_stale");
  if (ctx.offline?.refuseOnlineOnly && campaign.onlineOnly) return no("online_only");

  const sameCode = count(req.earlier, (l) => l.code === codeText);
  if ((usage.codeUses.get(codeText) ?? 0) + sameCode >= code.uses) {
    const lastUse = usage.lastUse.get(codeText);
    return lastUse ? { ...no("used"), lastUse } : no("used");
  }
  const sameCampaign = count(req.earlier, (l) => l.campaign.id === campaign.id);
  if (
    campaign.maxUses !== undefined &&
    (usage.campaignUses.get(campaign.id) ?? 0) + sameCampaign >= campaign.maxUses
  ) {
    return no("limit_reached");
  }

  if (campaign.timeLimited && ctx.trustedTimeInDoubt) return no("clock_unverified");
  // A clock that went backwards (offline reboot without an RTC) must not make expired coupons valid.
  const now = ctx.trustedTimeInDoubt ? clockNow : Math.max(clockNow, ctx.trustedTime);
  if (campaign.validFromMs !== undefined && now < campaign.validFromMs) return no("not_yet_valid");
  if (campaign.validUntilMs !== undefined && now >= campaign.validUntilMs) return no("expired");
  if (
    (campaign.weekdays || campaign.hours) &&
    !withinWindows(zonedMoment(now, index.timezone), campaign.weekdays, campaign.hours)
  ) {
    return no("outside_hours");
  }

  const memberBound =
    campaign.requiresMember || code.member !== undefined || campaign.perMember !== undefined;
  if (memberBound && !req.member) return no("member_required");
  if (code.member !== undefined && code.member !== req.member) return no("member_mismatch");
  if (campaign.perMember !== undefined && req.member) {
    const used = usage.memberUses.get(memberKey(campaign.id, req.member)) ?? 0;
    if (used + sameCampaign >= campaign.perMember) return no("member_limit");
  }

  if (req.payable < minimumSpend(campaign)) return no("min_spend");
  if (req.earlier.length > 0 && (!campaign.stackable || req.earlier.some((l) => !l.campaign.stackable))) {
    return no("not_stackable");
  }

  let otpStep: number | undefined;
  if (campaign.dynamic || code.totp) {
    otpStep = token && code.totp ? matchTotp(decodeBase32(code.totp), token, clockNow) : undefined;
    if (otpStep === undefined) return no("dynamic_invalid");
    const step = otpStep;
    if (
      usage.usedTokens.has(tokenKey(codeText, step)) ||
      req.earlier.some((l) => l.code === codeText && l.otpStep === step)
    ) {
      return no("dynamic_replayed");
    }
  }

  if (campaign.timeLimited && clockNow < ctx.trustedTime - ctx.clockToleranceMs)
    return no("clock_unverified");

  const discount = discountFor(campaign, req.payable);
  // A coupon that takes money off is spent only for money off: on a ￥0 bill (or after earlier
  // coupons took it all) it would be burnt for nothing. A gift is its own point and has no amount.
  if (campaign.kind !== "gift" && discount === 0) return no("nothing_off");
  const accepted: Accepted = {
    ok: true,
    code: codeText,
    campaign,
    payableBefore: req.payable,
    discount,
    payable: req.payable - discount,
  };
  if (campaign.kind === "gift") accepted.gift = campaign.gift;
  if (otpStep !== undefined) accepted.otpStep = otpStep;
  return accepted;
}

function reject(code: string, reason: RejectionReason, campaign?: Rejected["campaign"]): Rejected {
  return campaign ? { ok: false, code, reason, campaign } : { ok: false, code, reason };
}

function count<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (pred(item)) n++;
  return n;
}
