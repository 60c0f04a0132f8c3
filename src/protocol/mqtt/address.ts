/**
 * Where a message lives: `{base}/{merchant}/{store}/{terminal}/{leaf}`. Every topic has the same
 * depth, so a topic is read by position and a broker ACL can name a terminal by position:
 * a store-wide topic has `-` for the terminal, a merchant-wide one `-` for the store too.
 * (`-` cannot be an id: ids start with a letter or digit.)
 */

/** Ids as they appear in a topic: no `/`, `+`, `#`, `$`, spaces or control characters. */
export const TOPIC_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** The segment that stands for "every store" / "every terminal". */
export const ANY = "-";
export const DEFAULT_BASE = "quan/v1";
/** Longest topic read or built; MQTT allows 65,535 bytes, a hostile topic is refused long before. */
export const MAX_TOPIC_BYTES = 512;

export type Scope = "merchant" | "store" | "terminal";

export type Address =
  | { scope: "merchant"; merchant: string }
  | { scope: "store"; merchant: string; store: string }
  | { scope: "terminal"; merchant: string; store: string; terminal: string };

export class TopicError extends Error {
  override name = "TopicError";
}

/** A base is 1-4 segments of `[A-Za-z0-9_.-]`, e.g. `quan/v1` or `acme/prod/quan/v1`. */
export function checkBase(base: string): string {
  const segments = base.split("/");
  if (segments.length < 1 || segments.length > 4 || !segments.every((s) => /^[A-Za-z0-9_.-]{1,32}$/.test(s)))
    throw new TopicError(
      `topic base ${JSON.stringify(base.slice(0, 80))}: expected 1-4 segments of letters, digits, _ . -, e.g. "quan/v1"`,
    );
  return base;
}

export function checkId(kind: "merchant" | "store" | "terminal", id: string): string {
  if (!TOPIC_ID.test(id))
    throw new TopicError(
      `${kind} id ${JSON.stringify(id.slice(0, 80))} cannot be used in a topic: 1-64 letters, digits, _ or -, starting with a letter or digit`,
    );
  return id;
}

/** The three id segments of an address, `-` where the scope is wider. */
export function addressSegments(address: Address): [string, string, string] {
  const merchant = checkId("merchant", address.merchant);
  if (address.scope === "merchant") return [merchant, ANY, ANY];
  const store = checkId("store", address.store);
  if (address.scope === "store") return [merchant, store, ANY];
  return [merchant, store, checkId("terminal", address.terminal)];
}
