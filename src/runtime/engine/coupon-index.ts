import type { Campaign, CouponList, ListShell } from "../../protocol/coupon-list/index.js";
import { parseHourWindow } from "../time/zoned.js";
import type { CodeLookup } from "./code-lookup.js";
import { CodeTable } from "./code-table.js";

/** A coupon list compiled for lookups: built once per list, read by every validation. */
export interface CouponIndex {
  merchant: string;
  version: number;
  issuedAt: number;
  timezone: string;
  currency: string;
  memberSalt: string;
  campaigns: ReadonlyMap<string, CompiledCampaign>;
  codes: CodeLookup;
  revokedCodes: ReadonlySet<string>;
  revokedCampaigns: ReadonlySet<string>;
}

export type CompiledCampaign = Campaign & {
  validFromMs?: number;
  validUntilMs?: number;
  /** Basis points off for percent campaigns (20% = 2000). */
  basisPoints?: number;
  /** Whether the verdict depends on the clock (refused while the clock is unverified). */
  timeLimited: boolean;
};

export function buildCouponIndex(list: CouponList): CouponIndex {
  const codes = new CodeTable();
  for (const code of list.codes) codes.add(code);
  return indexFromParts(list, codes);
}

/** Compiles the campaigns of a list whose codes are already held by a lookup (e.g. the list cache). */
export function indexFromParts(list: ListShell, codes: CodeLookup): CouponIndex {
  const campaigns = new Map<string, CompiledCampaign>();
  for (const c of list.campaigns) {
    for (const h of c.hours ?? []) parseHourWindow(h);
    const compiled: CompiledCampaign = {
      ...c,
      timeLimited: Boolean(c.validFrom || c.validUntil || c.weekdays || c.hours || c.dynamic),
    };
    if (c.validFrom) compiled.validFromMs = Date.parse(c.validFrom);
    if (c.validUntil) compiled.validUntilMs = Date.parse(c.validUntil);
    if (c.kind === "percent") compiled.basisPoints = Math.round(c.percentOff * 100);
    campaigns.set(c.id, compiled);
  }
  return {
    merchant: list.merchant,
    version: list.version,
    issuedAt: Date.parse(list.issuedAt),
    timezone: list.timezone,
    currency: list.currency,
    memberSalt: list.memberSalt,
    campaigns,
    codes,
    revokedCodes: new Set(list.revoked.codes),
    revokedCampaigns: new Set(list.revoked.campaigns),
  };
}
