import { z } from "zod";
import { count, instant, sha256Hex, topicId, version } from "./common.js";

/**
 * Birth and death, retained on the terminal's `status`. The terminal adds 1 to `bdSeq` (kept on
 * disk) before every CONNECT, sets its will to `offline` with that `bdSeq`, and publishes `online`
 * with the same `bdSeq` once connected. A reader ignores a status whose `bdSeq` is lower than one
 * it has seen, so a stale will cannot overwrite a newer birth.
 */
export const statusSchema = z.strictObject({
  format: z.literal("quan.status/1"),
  terminal: topicId,
  state: z.enum(["online", "offline"]),
  bdSeq: count,
  /** When the terminal connected (also in the will, which is written at CONNECT). */
  since: instant,
});
export type Status = z.infer<typeof statusSchema>;

export const PRINTER_STATES = [
  "ok",
  "paper_low",
  "paper_out",
  "cover_open",
  "offline",
  "error",
  "none",
] as const;

/** Periodic health (and on the `report-status` command). */
export const healthSchema = z.strictObject({
  format: z.literal("quan.health/1"),
  terminal: topicId,
  at: instant,
  bdSeq: count,
  software: z.string().min(1).max(40),
  list: z.strictObject({ version, documentHash: sha256Hex }).nullable(),
  outbox: z.strictObject({
    unsent: count,
    /** `at` of the oldest record not yet acked, null when none. */
    oldestUnsentAt: instant.nullable(),
    ackedThrough: count,
  }),
  chain: z.strictObject({ seq: count, hash: sha256Hex }),
  printer: z.enum(PRINTER_STATES),
  clock: z.strictObject({
    synchronized: z.boolean(),
    /** Latest trusted instant the terminal holds, null when none. */
    trusted: instant.nullable(),
    /** The terminal's clock minus the trusted time, ms (negative: behind). */
    offsetMs: z.number().int().nullable(),
  }),
  /** Messages from the network refused since start, by problem (e.g. `bad_signature`). */
  rejected: z.record(z.string().regex(/^[a-z_]{1,32}$/), count).refine((r) => Object.keys(r).length <= 32, {
    message: "at most 32 problems",
  }),
  conflicts: count,
});
export type Health = z.infer<typeof healthSchema>;
