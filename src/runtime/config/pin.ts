import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

/**
 * Manager PINs are stored as scrypt hashes: "scrypt$N=16384,r=8,p=1$<salt b64>$<key b64>" (the cost
 * written with the hash), or the first format "scrypt$<salt b64>$<key b64>" with Node's default cost
 * (N=16384, r=8, p=1). A hash that is malformed or too weak is refused when the config is checked
 * and never accepted when a PIN is verified: a degenerate hash must not let any PIN through.
 */

export interface PinHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

const COST = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = { min: 16, max: 64 };
const KEY_BYTES = { min: 32, max: 64 };
/** N a power of two in this range; scrypt needs 128·N·r bytes, a Pi must afford it. */
const N_BOUNDS = { min: 2 ** 14, max: 2 ** 15 };
const R_BOUNDS = { min: 8, max: 16 };
const P_BOUNDS = { min: 1, max: 2 };
/**
 * At most twice the default work (N·r·p): a verify runs synchronously and freezes the screen. The
 * default takes ~45-70 ms on a desktop core, a Pi is 4-8x slower, so this stays well under a second
 * there (N=2^17, r=16, p=4 took 2.6 s and 256 MiB here).
 */
const MAX_WORK = 2 * COST.N * COST.r * COST.p;

export class PinHashError extends Error {
  override name = "PinHashError";
}

const HOW = "run `quan pin hash PIN` and put its output in void.managerPin";

export function hashPin(pin: string): string {
  if (!/^\d{4,12}$/.test(pin)) throw new RangeError("a manager PIN is 4 to 12 digits");
  const salt = randomBytes(16);
  const key = derive(pin, { ...COST, salt, key: Buffer.alloc(32) });
  return `scrypt$N=${COST.N},r=${COST.r},p=${COST.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** The hash's parts, or a PinHashError saying what is wrong with it. */
export function parsePinHash(stored: string): PinHash {
  if (stored !== stored.trim())
    throw new PinHashError(
      "the PIN hash has a space or line break at its start or end: remove it (void.managerPin is exactly the output of `quan pin hash PIN`)",
    );
  if (/^\d+$/.test(stored))
    throw new PinHashError(`this is a PIN, not a PIN hash: ${HOW}, never the PIN itself`);
  const parts = stored.split("$");
  if (parts[0] !== "scrypt" || (parts.length !== 3 && parts.length !== 4))
    throw new PinHashError(`not a manager PIN hash ("scrypt$...$..."): ${HOW}`);
  const cost = parts.length === 4 ? parseCost(parts[1] as string) : COST;
  const salt = base64Bytes(parts.at(-2) as string, "salt");
  if (salt.length < SALT_BYTES.min || salt.length > SALT_BYTES.max)
    throw new PinHashError(
      `PIN hash salt is ${salt.length} bytes, expected ${SALT_BYTES.min}-${SALT_BYTES.max}: ${HOW}`,
    );
  const key = base64Bytes(parts.at(-1) as string, "key");
  if (key.length < KEY_BYTES.min || key.length > KEY_BYTES.max)
    throw new PinHashError(
      `PIN hash key is ${key.length} bytes, expected ${KEY_BYTES.min}-${KEY_BYTES.max}: ${HOW}`,
    );
  return { ...cost, salt, key };
}

/** Whether `pin` matches; throws PinHashError (never true) for a malformed or weak hash. */
export function verifyPin(pin: string, stored: string): boolean {
  const hash = parsePinHash(stored);
  return timingSafeEqual(derive(pin, hash), hash.key);
}

function derive(pin: string, h: PinHash): Buffer {
  return scryptSync(pin, h.salt, h.key.length, { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r });
}

function parseCost(text: string): { N: number; r: number; p: number } {
  const m = /^N=(\d{1,16}),r=(\d{1,16}),p=(\d{1,16})$/.exec(text);
  if (!m) throw new PinHashError(`PIN hash cost "${text}" is not "N=…,r=…,p=…": ${HOW}`);
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N > N_BOUNDS.max || r > R_BOUNDS.max || p > P_BOUNDS.max || N * r * p > MAX_WORK)
    throw new PinHashError(
      `PIN hash cost ${text} is too costly to verify on a Raspberry Pi without freezing the screen (N up to ${N_BOUNDS.max}, r up to ${R_BOUNDS.max}, p up to ${P_BOUNDS.max}, N·r·p at most ${MAX_WORK}; the default is N=${COST.N},r=${COST.r},p=${COST.p}): ${HOW}`,
    );
  if (N < N_BOUNDS.min || (N & (N - 1)) !== 0)
    throw new PinHashError(
      `PIN hash cost N=${N} must be a power of two from ${N_BOUNDS.min} to ${N_BOUNDS.max}: ${HOW}`,
    );
  if (r < R_BOUNDS.min)
    throw new PinHashError(`PIN hash cost r=${r} must be ${R_BOUNDS.min}-${R_BOUNDS.max}: ${HOW}`);
  if (p < P_BOUNDS.min)
    throw new PinHashError(`PIN hash cost p=${p} must be ${P_BOUNDS.min}-${P_BOUNDS.max}: ${HOW}`);
  return { N, r, p };
}

/** Canonical base64 only: anything that does not encode back to itself is refused. */
function base64Bytes(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, "base64");
  if (text === "" || bytes.toString("base64") !== text)
    throw new PinHashError(`PIN hash ${what} is not base64: ${HOW}`);
  return bytes;
}

/** What is wrong with a value that does not have a PIN hash's shape, in parsePinHash's words. */
export function pinHashShapeProblem(value: unknown): string {
  if (typeof value !== "string") return `expected a PIN hash "scrypt$...$...": ${HOW}`;
  try {
    parsePinHash(value);
  } catch (err) {
    if (err instanceof PinHashError) return err.message;
    throw err;
  }
  return `expected a PIN hash "scrypt$...$...": ${HOW}`;
}

/** The shape only (for editors' JSON Schema); `parsePinHash` checks the rest. */
export const PIN_HASH_PATTERN = /^scrypt\$([^$]+\$)?[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;
