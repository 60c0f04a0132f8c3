import { createPrivateKey, sign, verify } from "node:crypto";
import { jsonDepthExceeds, MAX_ENVELOPE_BYTES, MAX_JSON_DEPTH } from "../limits.js";
import { publicKeyObject } from "./keys.js";

/*
 * Signing and verifying live here with the format, not in the store: Ed25519 over the document's
 * bytes is computation (no file, no clock, no network), and exactly which bytes are signed is the
 * one thing the merchant and the terminal must never disagree on.
 */

/**
 * A signed coupon list travels as an envelope whose `document` is the exact JSON text that was
 * signed, so verification never depends on re-serialising JSON the same way twice.
 */
export interface SignedEnvelope {
  format: "quan.signed/1";
  alg: "Ed25519";
  /** Base64 of the 64-byte Ed25519 signature over the UTF-8 bytes of `document`. */
  signature: string;
  document: string;
}

export class SignatureError extends Error {
  override name = "SignatureError";
  constructor(
    readonly problem: "malformed_envelope" | "unsigned" | "bad_signature",
    message: string,
  ) {
    super(message);
  }
}

export function signDocument(documentJson: string, privateKeyPem: string): SignedEnvelope {
  const signature = sign(null, Buffer.from(documentJson, "utf8"), createPrivateKey(privateKeyPem));
  return {
    format: "quan.signed/1",
    alg: "Ed25519",
    signature: signature.toString("base64"),
    document: documentJson,
  };
}

const ENVELOPE_FIELDS = ["format", "alg", "signature", "document"] as const;

/**
 * The limits every signed envelope is held to before it is parsed, read as text (`parseEnvelope`)
 * or as bytes (`openEnvelopeBytes`): bounded size and nesting.
 */
export function checkEnvelopeLimits(json: string | Uint8Array): void {
  const size =
    typeof json !== "string"
      ? json.length
      : json.length > MAX_ENVELOPE_BYTES
        ? json.length
        : Buffer.byteLength(json);
  if (size > MAX_ENVELOPE_BYTES) {
    throw new SignatureError(
      "malformed_envelope",
      `larger than ${MAX_ENVELOPE_BYTES / 1024 / 1024} MiB, the most a terminal reads`,
    );
  }
  if (jsonDepthExceeds(json, MAX_JSON_DEPTH))
    throw new SignatureError("malformed_envelope", `nested deeper than ${MAX_JSON_DEPTH} levels`);
}

/**
 * Checks a parsed envelope's fields (exactly format, alg, signature and document, each a string)
 * and returns a new object holding only those, so nothing unsigned is ever kept. Shared by the
 * text and byte readers so the two cannot drift.
 */
export function canonicalEnvelope(envelope: unknown): SignedEnvelope {
  checkEnvelopeShape(envelope);
  const e = envelope as Record<string, unknown>;
  const unknown = Object.keys(e).filter((k) => !(ENVELOPE_FIELDS as readonly string[]).includes(k));
  if (unknown.length) {
    throw new SignatureError(
      "malformed_envelope",
      `unknown field ${unknown
        .slice(0, 3)
        .map((k) => JSON.stringify(k.slice(0, 40)))
        .join(", ")}: a quan.signed/1 envelope holds only format, alg, signature and document`,
    );
  }
  if (typeof e.alg !== "string")
    throw new SignatureError("malformed_envelope", `unsupported alg ${String(e.alg)}`);
  return {
    format: "quan.signed/1",
    alg: e.alg as "Ed25519",
    signature: e.signature as string,
    document: e.document as string,
  };
}

/** Parses envelope text strictly (`checkEnvelopeLimits`, then `canonicalEnvelope`). */
export function parseEnvelope(envelopeText: string): SignedEnvelope {
  checkEnvelopeLimits(envelopeText);
  let envelope: unknown;
  try {
    envelope = JSON.parse(envelopeText);
  } catch (err) {
    throw new SignatureError("malformed_envelope", `not JSON: ${(err as Error).message}`);
  }
  return canonicalEnvelope(envelope);
}

/** Parses an envelope strictly and checks its signature against the pinned key. */
export function openEnvelope(
  envelopeText: string,
  pinnedPublicKey: string,
): { envelope: SignedEnvelope; document: string } {
  const envelope = parseEnvelope(envelopeText);
  return { envelope, document: verifyEnvelope(envelope, pinnedPublicKey) };
}

/** Checks an already parsed envelope; returns the signed document text. */
export function verifyEnvelope(envelope: unknown, pinnedPublicKey: string): string {
  checkEnvelopeShape(envelope);
  const e = envelope as Record<string, unknown>;
  if (e.alg !== "Ed25519") throw new SignatureError("malformed_envelope", `unsupported alg ${String(e.alg)}`);
  const signature = Buffer.from(e.signature as string, "base64");
  const ok =
    signature.length === 64 &&
    verify(null, Buffer.from(e.document as string, "utf8"), publicKeyObject(pinnedPublicKey), signature);
  if (!ok)
    throw new SignatureError(
      "bad_signature",
      "signature does not match the pinned merchant key (forged or altered)",
    );
  return e.document as string;
}

function checkEnvelopeShape(envelope: unknown): void {
  if (typeof envelope !== "object" || envelope === null || Array.isArray(envelope)) {
    throw new SignatureError("malformed_envelope", "expected a signed envelope object");
  }
  const e = envelope as Record<string, unknown>;
  if (e.format !== "quan.signed/1" || typeof e.signature !== "string" || typeof e.document !== "string") {
    if ("format" in e && e.format === "quan.coupons/1") {
      throw new SignatureError(
        "unsigned",
        "this is an unsigned coupon list; sign it with `quan coupons sign`",
      );
    }
    throw new SignatureError(
      "malformed_envelope",
      'expected {"format":"quan.signed/1","signature":...,"document":...}',
    );
  }
}
