import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";

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

export interface MerchantKeyPair {
  /** Base64 of the raw 32-byte public key: what a terminal's config pins. */
  publicKey: string;
  /** PKCS#8 PEM: stays on the central server. */
  privateKeyPem: string;
}

export function generateMerchantKeys(): MerchantKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKey: rawPublicKey(publicKey),
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }) as string,
  };
}

export function publicKeyFromPrivatePem(privateKeyPem: string): string {
  return rawPublicKey(createPublicKey(createPrivateKey(privateKeyPem)));
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

/** Parses an envelope and checks its signature against the pinned key; returns the signed text. */
export function openEnvelope(envelopeText: string, pinnedPublicKey: string): string {
  let envelope: unknown;
  try {
    envelope = JSON.parse(envelopeText);
  } catch (err) {
    throw new SignatureError("malformed_envelope", `not JSON: ${(err as Error).message}`);
  }
  return verifyEnvelope(envelope, pinnedPublicKey);
}

/** Checks an already parsed envelope; returns the signed document text. */
export function verifyEnvelope(envelope: unknown, pinnedPublicKey: string): string {
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
  if (e.alg !== "Ed25519") throw new SignatureError("malformed_envelope", `unsupported alg ${String(e.alg)}`);
  const signature = Buffer.from(e.signature, "base64");
  const ok =
    signature.length === 64 &&
    verify(null, Buffer.from(e.document, "utf8"), publicKeyObject(pinnedPublicKey), signature);
  if (!ok)
    throw new SignatureError(
      "bad_signature",
      "signature does not match the pinned merchant key (forged or altered)",
    );
  return e.document;
}

export function publicKeyObject(rawBase64: string): KeyObject {
  const raw = Buffer.from(rawBase64, "base64");
  if (raw.length !== 32) throw new RangeError("a merchant public key is 32 bytes, base64-encoded");
  return createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") },
    format: "jwk",
  });
}

function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  return Buffer.from(jwk.x as string, "base64url").toString("base64");
}
