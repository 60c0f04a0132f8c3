import { createHash } from "node:crypto";
import { formatIssues } from "../issues.js";
import { type HashedRecord, hashedRecordSchema } from "../journal/index.js";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../limits.js";
import type { TravellingRecord } from "./payloads/journal.js";

/** Wraps a journal line's JSON text and hash (as the journal wrote them) for `journal/record`. */
export function travellingRecord(recordJson: string, hash: string): TravellingRecord {
  const r = JSON.parse(recordJson) as { id: string; seq: number; prev: string };
  return { format: "quan.record/1", id: r.id, seq: r.seq, prev: r.prev, hash, record: recordJson };
}

export class RecordError extends Error {
  override name = "RecordError";
  constructor(
    readonly problem: "hash_mismatch" | "invalid_record" | "disagrees",
    message: string,
  ) {
    super(message);
  }
}

/**
 * What the merchant checks on a record it received (already read with its schema): the hash is the
 * SHA-256 of the exact text, the text is a valid journal record, it agrees with the outer id, seq
 * and prev, and it comes from the terminal (and store) of its topic. Chain continuity (`prev` equals
 * the hash of the terminal's record `seq - 1`) is the merchant's to check against what it holds.
 */
export function openTravellingRecord(
  t: TravellingRecord,
  from: { store: string; terminal: string },
): HashedRecord {
  if (createHash("sha256").update(t.record, "utf8").digest("hex") !== t.hash)
    throw new RecordError("hash_mismatch", `record ${t.id}: its hash is not the SHA-256 of its text`);
  if (jsonDepthExceeds(t.record, MAX_JSON_DEPTH))
    throw new RecordError("invalid_record", `record ${t.id}: nested too deeply`);
  let raw: unknown;
  try {
    raw = JSON.parse(t.record);
  } catch (err) {
    throw new RecordError("invalid_record", `record ${t.id}: not JSON (${(err as Error).message})`);
  }
  const parsed = hashedRecordSchema.safeParse(raw);
  if (!parsed.success)
    throw new RecordError(
      "invalid_record",
      `record ${t.id}: ${formatIssues(parsed.error.issues).slice(0, 5).join("; ")}`,
    );
  const r = parsed.data as HashedRecord;
  if (r.id !== t.id || r.seq !== t.seq || r.prev !== t.prev)
    throw new RecordError("disagrees", `record ${t.id}: id, seq or prev differ from the record's own`);
  if (r.terminal !== from.terminal || (r.type === "redeem" && r.store !== from.store))
    throw new RecordError(
      "disagrees",
      `record ${t.id}: made at ${r.terminal}, sent on ${from.terminal}'s topic`,
    );
  return r;
}
