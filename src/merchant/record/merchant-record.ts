import type { JournalEntry } from "../../protocol/journal/index.js";

/**
 * The merchant's durable record of what its terminals sent, behind an interface so that a
 * PostgreSQL backend (and several service instances over it) can follow the SQLite one. Every
 * method that writes runs inside `transaction`, and `transaction` returns only once the commit is
 * durable: the service acknowledges nothing before that.
 */

export interface StoredRecord {
  id: string;
  terminal: string;
  store: string;
  seq: number;
  prev: string;
  hash: string;
  /** The record's JSON text exactly as the terminal hashed it. */
  json: string;
  entry: JournalEntry;
  receivedAt: string;
}

export interface CodeUse {
  id: string;
  terminal: string;
  store: string;
  at: string;
  campaign: string;
  voided: boolean;
}

export interface ConflictRow {
  id: string;
  code: string;
  campaign: string;
  uses: number;
  state: "open" | "resolved";
  detectedAt: string;
  redemptions: { id: string; terminal: string; store: string; at: string }[];
}

export interface TamperRow {
  terminal: string;
  seq: number;
  id: string;
  problem: "same_id_other_hash" | "same_seq_other_record" | "chain_broken";
  detail: string;
  at: string;
}

export interface TerminalRow {
  terminal: string;
  store: string;
  state: "online" | "offline" | "unknown";
  bdSeq: number;
  since: string | null;
  lastSeen: string | null;
  /** The latest health payload, as JSON text. */
  health: string | null;
  /** The highest seq held with every record before it. */
  chainSeq: number;
  chainHash: string;
}

export interface KnownCode {
  code: string;
  campaign: string;
  uses: number;
}

export interface MerchantRecord {
  transaction<T>(fn: () => T): T;
  recordById(id: string): { terminal: string; seq: number; hash: string } | undefined;
  recordAt(terminal: string, seq: number): { id: string; hash: string; prev: string } | undefined;
  insertRecord(r: StoredRecord): void;
  terminal(terminal: string): TerminalRow | undefined;
  saveTerminal(row: TerminalRow): void;
  terminals(): TerminalRow[];
  addTamper(t: TamperRow): void;
  tampers(): TamperRow[];
  /** Redemptions of `code`, oldest first, with whether each was voided. */
  usesOf(code: string): CodeUse[];
  /** The codes a redemption redeemed (for a void: those it restores). */
  codesOf(redemptionId: string): string[];
  markVoided(redemptionId: string): void;
  /** What the lists this service published say of a code (uses), if it published one naming it. */
  knownCode(code: string): KnownCode | undefined;
  /** Whether a campaign has caps across stores (maxUses, perMember), per the published lists. */
  campaignSpansStores(campaign: string): boolean;
  saveKnownCodes(codes: KnownCode[], cappedCampaigns: string[]): void;
  openConflictOf(code: string): ConflictRow | undefined;
  saveConflict(c: ConflictRow): void;
  conflicts(): ConflictRow[];
  /** Every record, by terminal then seq (the export). */
  eachRecord(visit: (r: StoredRecord) => void): void;
  recordCount(): number;
  close(): void;
}
