import type { Localized } from "../../protocol/coupon-list/index.js";
import type { LastUse } from "../ledger/last-use.js";
import type { CompiledCampaign } from "./coupon-index.js";

/** Rejection reasons, listed in order of precedence: when several apply, the first one is given. */
export const REJECTION_REASONS = [
  "unknown",
  "revoked",
  "wrong_store",
  "offline_list_stale",
  "online_only",
  "used",
  "limit_reached",
  "not_yet_valid",
  "expired",
  "outside_hours",
  "member_required",
  "member_mismatch",
  "member_limit",
  "min_spend",
  "not_stackable",
  "dynamic_invalid",
  "dynamic_replayed",
  "clock_unverified",
  "nothing_off",
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface Accepted {
  ok: true;
  code: string;
  campaign: CompiledCampaign;
  /** Payable before this coupon (the running amount it was applied to). */
  payableBefore: number;
  discount: number;
  payable: number;
  gift?: Localized;
  otpStep?: number;
}

export interface Rejected {
  ok: false;
  code: string;
  reason: RejectionReason;
  campaign?: CompiledCampaign;
  lastUse?: LastUse;
}

export type Verdict = Accepted | Rejected;

export interface BasketVerdict {
  amount: number;
  /** One verdict per scanned coupon, in scan order. */
  lines: Verdict[];
  discount: number;
  payable: number;
  /** Whether the basket can be committed: at least one coupon and every coupon accepted. */
  committable: boolean;
}
