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

/** A list the service published: what a terminal's `list/want` or `list/resync` is answered from. */
export interface PublishedList {
  version: number;
  /** The store it is for, or null for every store. */
  store: string | null;
  kind: "snapshot" | "delta";
  /** For a delta, the list it applies to. */
  base: { version: number; documentHash: string } | null;
  /** The signed document's text (what a later delta's base hash is computed over). */
  document: string;
  /** The whole list this version stands for, as JSON (a delta's document holds only the edits). */
  full: string;
  /** The list's signed envelope, as published in chunks. */
  envelope: Buffer;
  chunkBytes: number;
  publishedAt: string;
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
  savePublishedList(list: PublishedList): void;
  /** The newest published list for `store` (a store's own first, else the merchant-wide one). */
  latestList(store: string | null, kind?: "snapshot"): PublishedList | undefined;
  listByEnvelope(version: number, envelopeSha256: string): PublishedList | undefined;
  close(): void;
}
