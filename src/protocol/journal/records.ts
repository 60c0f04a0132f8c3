/**
 * What the journal holds. Every amount is an integer number of minor units (fen, cents).
 * A redemption commits one or more coupons against one bill; a void is a compensating record that
 * restores the uses of exactly one earlier redemption.
 */

export interface RedemptionLine {
  code: string;
  campaign: string;
  /** Discount this coupon gave, minor units. Zero for a gift. */
  discount: number;
  /** For a gift coupon, the item handed over. */
  gift?: string;
  /** For a dynamic (TOTP) code, the time step of the token that was accepted. */
  otpStep?: number;
}

export interface RedeemEntry {
  type: "redeem";
  /** Fleet-unique redemption id (a ULID): re-delivering it to the server is harmless. */
  id: string;
  /** Instant of the redemption, ISO 8601 in UTC. */
  at: string;
  terminal: string;
  store: string;
  cashier: string;
  currency: string;
  /** The bill before discounts. */
  amount: number;
  discount: number;
  payable: number;
  lines: RedemptionLine[];
  /** Salted hash of the member id, when a member was identified. Never the raw id. */
  member?: string;
  /** Version of the coupon list the verdict was made against. */
  listVersion: number;
}

export interface VoidEntry {
  type: "void";
  id: string;
  /** The redemption this void compensates. */
  target: string;
  at: string;
  terminal: string;
  cashier: string;
  reason?: string;
}

export type JournalEntry = RedeemEntry | VoidEntry;

/** A journal line as stored: the entry plus its position and the hash of the line before it. */
export type JournalRecord = JournalEntry & {
  seq: number;
  /** SHA-256 (hex) of the previous line's record text; 64 zeros for the first record. */
  prev: string;
  /** SHA-256 (hex) of this record's text. Not part of the hashed text itself. */
  hash: string;
};

/** The entry a journal record carries, without its position and hashes. */
export function entryOf(record: JournalRecord | JournalEntry): JournalEntry {
  const { seq: _seq, prev: _prev, hash: _hash, ...entry } = record as Partial<JournalRecord>;
  return entry as JournalEntry;
}
