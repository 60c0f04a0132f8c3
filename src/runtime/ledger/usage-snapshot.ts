/**
 * The counters snapshot of all history that state.json held before the ledger kept checkpoints
 * (store/ledger/checkpoint.ts). Only read now: its position is the evidence that records up to
 * `seq` were committed while a data directory of that age is migrated; its counters are rebuilt
 * from the journal instead of trusted.
 */
export interface LegacyUsageSnapshot {
  seq: number;
  hash: string;
}
