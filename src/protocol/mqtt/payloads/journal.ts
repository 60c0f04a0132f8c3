import { z } from "zod";
import { journalEntrySchema } from "../../journal/index.js";
import { count, instant, sha256Hex, topicId, uniqueId } from "./common.js";

/**
 * A journal record as it travels, terminal to merchant. `record` is the exact JSON text the
 * journal hashed (`{"seq":..,"prev":..,...entry}`), so the merchant checks `sha256(record) ===
 * hash` without re-serialising anything, and the chain (`prev` = the hash of the record before)
 * shows whether the terminal's journal was rewritten. `id`, `seq`, `prev` repeat the record's own
 * fields so the merchant can de-duplicate and order without parsing; they must agree.
 */
export const travellingRecordSchema = z.strictObject({
  format: z.literal("quan.record/1"),
  id: uniqueId,
  seq: z.number().int().positive(),
  prev: sha256Hex,
  hash: sha256Hex,
  record: z.string().min(2).max(60_000),
});
export type TravellingRecord = z.infer<typeof travellingRecordSchema>;

/**
 * The merchant's word that records are in its durable store, on the terminal's own topic. Sent
 * only after the merchant's commit. `ids` acks single records; `through` acks every record up to
 * `seq`, and names that record's hash so a terminal can tell the merchant holds its history.
 */
export const ackSchema = z
  .strictObject({
    format: z.literal("quan.ack/1"),
    terminal: topicId,
    ids: z.array(uniqueId).min(1).max(1000).optional(),
    through: z.strictObject({ seq: z.number().int().positive(), hash: sha256Hex }).optional(),
  })
  .refine((a) => a.ids !== undefined || a.through !== undefined, "names ids, through or both");
export type Ack = z.infer<typeof ackSchema>;

/**
 * A record the merchant accepted, forwarded to the other terminals of the store (store scope)
 * or of the merchant (merchant scope, for campaign caps), so they count its uses.
 */
export const acceptedSchema = z.strictObject({
  format: z.literal("quan.accepted/1"),
  acceptedAt: instant,
  /** The terminal's sequence number of the record. */
  seq: z.number().int().positive(),
  entry: journalEntrySchema,
});
export type Accepted = z.infer<typeof acceptedSchema>;

/** Two or more redemptions of a code beyond its uses (tills cut off from each other): all kept, flagged. */
export const conflictSchema = z.strictObject({
  format: z.literal("quan.conflict/1"),
  conflict: uniqueId,
  state: z.enum(["open", "resolved"]),
  detectedAt: instant,
  code: z.string().min(1).max(64),
  campaign: z.string().min(1).max(64),
  uses: count,
  redemptions: z
    .array(z.strictObject({ id: uniqueId, terminal: topicId, store: topicId, at: instant }))
    .min(2)
    .max(100),
  note: z.string().max(500).optional(),
});
export type Conflict = z.infer<typeof conflictSchema>;
