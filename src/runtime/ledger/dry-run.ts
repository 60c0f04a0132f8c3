import type { JournalEntry, RedeemEntry } from "../../protocol/journal/index.js";
import type { LastUse } from "./last-use.js";
import { applyEntry, type UsageState } from "./usage.js";

/** Reads through to `base` what this overlay has not written; `null` marks a delete. */
function overlay<V>(base: { get(key: string): V | undefined }): {
  get(key: string): V | undefined;
  set(key: string, v: V): void;
  delete(key: string): void;
  wrote(key: string): boolean;
} {
  const written = new Map<string, V | null>();
  return {
    wrote: (key) => written.has(key),
    get: (key) => {
      const v = written.get(key);
      return v === undefined ? base.get(key) : (v ?? undefined);
    },
    set: (key, v) => void written.set(key, v),
    delete: (key) => void written.set(key, null),
  };
}

/**
 * Applies `entry` to a copy-on-write view of `usage`: the same rule a replay applies, and the
 * same LedgerError when the entry does not apply, but `usage` itself is left untouched. A ledger
 * runs it before it appends, so that nothing the counters reject can reach the journal (where
 * every start would replay it, reject it again, and refuse to start).
 */
export function dryRunEntry(
  usage: UsageState,
  entry: JournalEntry,
  seq: number,
  redeemById: (id: string) => RedeemEntry | undefined,
): void {
  const tokens = new Set<string>();
  const redemptions = overlay<{ voided: boolean; seq: number }>(usage.redemptions);
  const view: UsageState = {
    codeUses: overlay<number>(usage.codeUses),
    campaignUses: overlay<number>(usage.campaignUses),
    memberUses: overlay<number>(usage.memberUses),
    usedTokens: {
      has: (key) => tokens.has(key) || usage.usedTokens.has(key),
      add: (key) => tokens.add(key),
    },
    lastUse: overlay<LastUse>(usage.lastUse),
    redemptions: {
      get: redemptions.get,
      set: redemptions.set,
      // A redemption is never deleted: written here or known to `usage`.
      has: (id) => redemptions.wrote(id) || usage.redemptions.has(id),
    },
  };
  applyEntry(view, entry, seq, redeemById);
}
