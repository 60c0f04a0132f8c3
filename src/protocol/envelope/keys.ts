import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";

/** Ed25519 merchant keys: the central server signs with the private key, terminals pin the public one. */

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
