import { randomBytes } from "node:crypto";
import { z } from "zod";
import { openEnvelope, SignatureError, signDocument } from "../envelope/index.js";
import { formatIssues } from "../issues.js";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../limits.js";

/**
 * A signed time statement: the merchant's word on what time it is, carried in the same
 * `quan.signed/1` envelope as a coupon list (the `format` inside the signed document tells them
 * apart). It is the one source that may move a terminal's trusted time backwards, so it is short
 * lived and used once: see docs/protocol.md, "Signed time statements".
 */
export const timeStatementSchema = z.strictObject({
  format: z.literal("quan.time/1"),
  merchant: z.string().min(1).max(64),
  instant: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "16-64 characters of base64url"),
});
export type TimeStatement = z.infer<typeof timeStatementSchema>;

/** The longest a statement may be valid: long enough to carry it to the shop, not to keep it. */
export const MAX_STATEMENT_VALIDITY_MS = 24 * 3_600_000;
export const DEFAULT_STATEMENT_VALIDITY_MS = 60 * 60_000;

export type TimeStatementProblem =
  | "malformed_envelope"
  | "unsigned"
  | "bad_signature"
  | "not_a_statement"
  | "wrong_merchant"
  | "expired"
  | "replayed";

export class TimeStatementError extends Error {
  override name = "TimeStatementError";
  constructor(
    readonly problem: TimeStatementProblem,
    message: string,
  ) {
    super(`time statement refused: ${message}`);
  }
}

export interface VerifiedTimeStatement {
  instant: number;
  expiresAt: number;
  nonce: string;
}

/** Signs "it is `instant`" for `merchant`, valid for `validMs` from then, with a fresh nonce. */
export function signTimeStatement(
  merchant: string,
  instant: number,
  validMs: number,
  privateKeyPem: string,
): string {
  if (!(validMs > 0 && validMs <= MAX_STATEMENT_VALIDITY_MS))
    throw new RangeError(
      `validity must be between 1 minute and ${MAX_STATEMENT_VALIDITY_MS / 3_600_000} hours`,
    );
  const statement: TimeStatement = {
    format: "quan.time/1",
    merchant,
    instant: new Date(instant).toISOString(),
    expiresAt: new Date(instant + validMs).toISOString(),
    nonce: randomBytes(16).toString("base64url"),
  };
  return JSON.stringify(signDocument(JSON.stringify(statement), privateKeyPem));
}

/**
 * Everything a statement must pass before it may set a terminal's trusted time: the pinned
 * merchant key, a well-formed statement for our merchant, not expired by the terminal's clock
 * (`clockNow`), and not the statement imported last (`lastNonce`). Pure.
 */
export function verifyTimeStatement(
  text: string,
  pinned: { id: string; publicKey: string },
  clockNow: number,
  lastNonce: string | undefined,
): VerifiedTimeStatement {
  let document: string;
  try {
    document = openEnvelope(text, pinned.publicKey).document;
  } catch (err) {
    if (err instanceof SignatureError) throw new TimeStatementError(err.problem, err.message);
    throw err;
  }
  let data: unknown;
  try {
    if (jsonDepthExceeds(document, MAX_JSON_DEPTH)) throw new Error("nested too deeply");
    data = JSON.parse(document);
  } catch (err) {
    throw new TimeStatementError(
      "not_a_statement",
      `signed document is not JSON (${(err as Error).message})`,
    );
  }
  const parsed = timeStatementSchema.safeParse(data);
  if (!parsed.success) {
    const format = (data as { format?: unknown } | null)?.format;
    throw new TimeStatementError(
      "not_a_statement",
      format !== "quan.time/1"
        ? `not a time statement (its format is ${JSON.stringify(format)}, expected "quan.time/1")`
        : `not a valid time statement: ${formatIssues(parsed.error.issues).slice(0, 5).join("; ")}`,
    );
  }
  const s = parsed.data;
  if (s.merchant !== pinned.id)
    throw new TimeStatementError(
      "wrong_merchant",
      `it is for merchant "${s.merchant}", this terminal belongs to "${pinned.id}"`,
    );
  const instant = Date.parse(s.instant);
  const expiresAt = Date.parse(s.expiresAt);
  if (!(expiresAt > instant && expiresAt - instant <= MAX_STATEMENT_VALIDITY_MS))
    throw new TimeStatementError(
      "not_a_statement",
      `expiresAt must be after instant and at most ${MAX_STATEMENT_VALIDITY_MS / 3_600_000} h later`,
    );
  if (clockNow > expiresAt)
    throw new TimeStatementError(
      "expired",
      `it expired at ${s.expiresAt} and this terminal's clock says ${new Date(clockNow).toISOString()}: sign a fresh one (if the clock itself is wrong, set it first)`,
    );
  if (lastNonce !== undefined && s.nonce === lastNonce)
    throw new TimeStatementError("replayed", "this statement was already imported; sign a fresh one");
  return { instant, expiresAt, nonce: s.nonce };
}
