import { z } from "zod";
import type { JournalRecord } from "./records.js";

/*
 * The journal's records as a schema, for the side that receives them (the merchant service reads
 * them off the wire, a terminal reads the store broadcast). Strict: a record holds exactly the
 * fields of `records.ts`, which a type test holds this schema to.
 */

const id = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, "1-64 characters of 0-9 A-Z a-z _ -");
const instant = z.iso.datetime({ offset: true });
const minor = z.number().int().nonnegative();
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 hex digest");

export const redemptionLineSchema = z.strictObject({
  code: z.string().min(1).max(64),
  campaign: z.string().min(1).max(64),
  discount: minor,
  gift: z.string().max(200).optional(),
  otpStep: z.number().int().nonnegative().optional(),
});

export const redeemEntrySchema = z.strictObject({
  type: z.literal("redeem"),
  id,
  at: instant,
  terminal: id,
  store: z.string().min(1).max(64),
  cashier: z.string().min(1).max(64),
  currency: z.string().regex(/^[A-Z]{3}$/),
  amount: minor,
  discount: minor,
  payable: minor,
  lines: z.array(redemptionLineSchema).min(1).max(64),
  member: sha256HexSchema.optional(),
  listVersion: z.number().int().nonnegative(),
});

export const voidEntrySchema = z.strictObject({
  type: z.literal("void"),
  id,
  target: id,
  at: instant,
  terminal: id,
  cashier: z.string().min(1).max(64),
  reason: z.string().max(200).optional(),
});

export const journalEntrySchema = z.discriminatedUnion("type", [redeemEntrySchema, voidEntrySchema]);

const position = {
  seq: z.number().int().positive(),
  prev: sha256HexSchema,
};

/** A record as the journal hashes it: its position and the previous hash, then the entry (no `hash`). */
export const hashedRecordSchema = z.discriminatedUnion("type", [
  redeemEntrySchema.extend(position),
  voidEntrySchema.extend(position),
]);

export type HashedRecord = JournalRecord extends infer R
  ? R extends JournalRecord
    ? Omit<R, "hash">
    : never
  : never;
