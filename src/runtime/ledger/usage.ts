import type { JournalEntry, RedeemEntry } from "../../protocol/journal/index.js";
import type { LastUse } from "./last-use.js";

/** A count by key; a key never counted reads as undefined. A Map is one. */
export interface Counter {
  get(key: string): number | undefined;
  set(key: string, n: number): unknown;
  delete(key: string): unknown;
}

/**
 * Usage counters derived from the journal: never stored on their own as the truth, only as a
 * checkpoint tagged with the journal position it reflects. Applying the same journal twice from
 * the same checkpoint always gives the same counters. Plain Maps serve for a few records; the
 * store keeps them in compact tables (store/ledger/usage-tables.ts) behind the same interface.
 */
export interface UsageState {
  codeUses: Counter;
  campaignUses: Counter;
  /** Key: campaign + "\u0000" + member hash. */
  memberUses: Counter;
  /** Key: code + "\u0000" + TOTP step. Tokens stay spent even when the redemption is voided. */
  usedTokens: { has(key: string): boolean; add(key: string): unknown };
  lastUse: {
    get(code: string): LastUse | undefined;
    set(code: string, use: LastUse): unknown;
    delete(code: string): unknown;
  };
  /**
   * The redemptions a void may still target, and whether each has been voided (the store keeps
   * the recent ones and looks older ones up in the journal).
   */
  redemptions: {
    get(id: string): { voided: boolean; seq: number } | undefined;
    set(id: string, v: { voided: boolean; seq: number }): unknown;
    has(id: string): boolean;
  };
}

export function emptyUsage(): UsageState {
  return {
    codeUses: new Map(),
    campaignUses: new Map(),
    memberUses: new Map(),
    usedTokens: new Set(),
    lastUse: new Map(),
    redemptions: new Map(),
  };
}

export const memberKey = (campaign: string, member: string) => `${campaign}\u0000${member}`;
export const tokenKey = (code: string, step: number) => `${code}\u0000${step}`;

export class LedgerError extends Error {
  override name = "LedgerError";
}

/**
 * Folds one journal entry into the counters. `redeemById` gives the redemption a void targets
 * (the journal keeps entries; the counters keep only what validation reads).
 */
export function applyEntry(
  usage: UsageState,
  entry: JournalEntry,
  seq: number,
  redeemById: (id: string) => RedeemEntry | undefined,
): void {
  if (entry.type === "redeem") {
    if (usage.redemptions.has(entry.id))
      throw new LedgerError(`redemption ${entry.id} appears twice in the journal`);
    usage.redemptions.set(entry.id, { voided: false, seq });
    for (const line of entry.lines) {
      bump(usage.codeUses, line.code, 1);
      bump(usage.campaignUses, line.campaign, 1);
      if (entry.member) bump(usage.memberUses, memberKey(line.campaign, entry.member), 1);
      if (line.otpStep !== undefined) usage.usedTokens.add(tokenKey(line.code, line.otpStep));
      usage.lastUse.set(line.code, {
        at: entry.at,
        store: entry.store,
        terminal: entry.terminal,
        redemption: entry.id,
      });
    }
    return;
  }
  const target = usage.redemptions.get(entry.target);
  const redeemed = redeemById(entry.target);
  if (!target || !redeemed)
    throw new LedgerError(`void ${entry.id} targets unknown redemption ${entry.target}`);
  if (target.voided) throw new LedgerError(`redemption ${entry.target} is voided twice`);
  usage.redemptions.set(entry.target, { ...target, voided: true });
  for (const line of redeemed.lines) {
    bump(usage.codeUses, line.code, -1);
    bump(usage.campaignUses, line.campaign, -1);
    if (redeemed.member) bump(usage.memberUses, memberKey(line.campaign, redeemed.member), -1);
    if (usage.lastUse.get(line.code)?.redemption === redeemed.id) usage.lastUse.delete(line.code);
  }
}

function bump(map: Counter, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next < 0) throw new LedgerError(`usage of ${key} would go negative`);
  if (next === 0) map.delete(key);
  else map.set(key, next);
}
