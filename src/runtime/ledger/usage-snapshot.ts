import type { UsageState } from "./usage.js";

/** Counters as stored in state.json, tagged with the journal position they reflect. */
export interface UsageSnapshot {
  seq: number;
  hash: string;
  codeUses: [string, number][];
  campaignUses: [string, number][];
  memberUses: [string, number][];
  usedTokens: string[];
  lastUse: [string, UsageState["lastUse"] extends Map<string, infer V> ? V : never][];
  redemptions: [string, { voided: boolean; seq: number }][];
}

export function snapshotUsage(usage: UsageState, seq: number, hash: string): UsageSnapshot {
  return {
    seq,
    hash,
    codeUses: [...usage.codeUses],
    campaignUses: [...usage.campaignUses],
    memberUses: [...usage.memberUses],
    usedTokens: [...usage.usedTokens],
    lastUse: [...usage.lastUse],
    redemptions: [...usage.redemptions],
  };
}

export function restoreUsage(s: UsageSnapshot): UsageState {
  return {
    codeUses: new Map(s.codeUses),
    campaignUses: new Map(s.campaignUses),
    memberUses: new Map(s.memberUses),
    usedTokens: new Set(s.usedTokens),
    lastUse: new Map(s.lastUse),
    redemptions: new Map(s.redemptions),
  };
}
