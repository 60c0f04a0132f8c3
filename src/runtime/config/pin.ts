import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

/** Manager PINs are stored as scrypt hashes: "scrypt$<salt b64>$<hash b64>". */
export function hashPin(pin: string): string {
  if (!/^\d{4,12}$/.test(pin)) throw new RangeError("a manager PIN is 4 to 12 digits");
  const salt = randomBytes(16);
  return `scrypt$${salt.toString("base64")}$${scryptSync(pin, salt, 32).toString("base64")}`;
}

export function verifyPin(pin: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash)
    throw new RangeError('manager PIN hash must look like "scrypt$salt$hash" (see `quan pin hash`)');
  const expected = Buffer.from(hash, "base64");
  const actual = scryptSync(pin, Buffer.from(salt, "base64"), expected.length);
  return timingSafeEqual(actual, expected);
}

export const PIN_HASH_PATTERN = /^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;
