import { isUtf8 } from "node:buffer";
import { parseEnvelope, SignatureError, signDocument, verifyEnvelope } from "../envelope/index.js";
import { formatIssues } from "../issues.js";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../limits.js";
import type { Address } from "./address.js";
import { TopicError } from "./address.js";
import { type AddressOf, type PayloadInput, type PayloadOf, TOPICS, type TopicName } from "./topic-map.js";
import { parseTopic, topicFor } from "./topics.js";

/*
 * Reading and writing payloads with the limits first. A reader checks the raw byte length against
 * the topic's limit before anything looks inside, then the nesting depth, then JSON, then (for
 * signed topics) the envelope and signature, then the schema, then that the payload's own ids
 * agree with its topic. A writer validates with the same schema and refuses a packet larger than
 * the configured limit, so a client never holds a packet the broker will refuse (and re-send it on
 * every reconnect: MQTT.js #768).
 */

export type MessageProblem =
  | "bad_topic"
  | "oversized"
  | "not_utf8"
  | "too_deep"
  | "not_json"
  | "malformed_envelope"
  | "unsigned"
  | "bad_signature"
  | "invalid"
  | "wrong_address";

export type ReadResult =
  | { ok: true; name: TopicName; address: Address; payload: unknown }
  | { ok: false; problem: MessageProblem; message: string };

export interface ReadOptions {
  base: string;
  /** The pinned merchant public key (base64 raw Ed25519), for signed topics. */
  publicKey: string;
  /** Refuse topics the reader should not receive: a terminal reads what the merchant publishes. */
  reader: "terminal" | "merchant";
}

/** Reads one incoming message. Never throws for bad input: the problem is returned, to log and count. */
export function readMessage(topic: string, bytes: Buffer, options: ReadOptions): ReadResult {
  let parsed: ReturnType<typeof parseTopic>;
  try {
    parsed = parseTopic(options.base, topic);
  } catch (err) {
    if (err instanceof TopicError) return refuse("bad_topic", err.message);
    throw err;
  }
  const { name, address } = parsed;
  const spec = TOPICS[name];
  if (spec.from === options.reader) return refuse("bad_topic", `${name} is published by the ${spec.from}`);
  if (bytes.length > spec.maxBytes)
    return refuse("oversized", `${name}: ${bytes.length} bytes, more than the ${spec.maxBytes} allowed`);
  if (!isUtf8(bytes)) return refuse("not_utf8", `${name}: not UTF-8 text`);
  let text = bytes.toString("utf8");
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH))
    return refuse("too_deep", `${name}: nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (spec.signed) {
    try {
      text = verifyEnvelope(parseEnvelope(text), options.publicKey);
    } catch (err) {
      if (err instanceof SignatureError) return refuse(err.problem, `${name}: ${err.message}`);
      throw err;
    }
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH))
      return refuse("too_deep", `${name}: signed document nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return refuse("not_json", `${name}: not JSON (${(err as Error).message})`);
  }
  const result = spec.schema.safeParse(raw);
  if (!result.success)
    return refuse("invalid", `${name}: ${formatIssues(result.error.issues).slice(0, 5).join("; ")}`);
  const mismatch = addressMismatch(result.data as Record<string, unknown>, address);
  if (mismatch) return refuse("wrong_address", `${name}: ${mismatch}`);
  return { ok: true, name, address, payload: result.data };
}

/** Ids a payload names must be the ones of its topic: a terminal cannot speak for another. */
function addressMismatch(p: Record<string, unknown>, address: Address): string | null {
  if (typeof p.merchant === "string" && p.merchant !== address.merchant)
    return `payload is for merchant "${p.merchant}", the topic for "${address.merchant}"`;
  if (address.scope !== "merchant" && typeof p.store === "string" && p.store !== address.store)
    return `payload is for store "${p.store}", the topic for "${address.store}"`;
  if (address.scope === "terminal" && typeof p.terminal === "string" && p.terminal !== address.terminal)
    return `payload is for terminal "${p.terminal}", the topic for "${address.terminal}"`;
  return null;
}

function refuse(problem: MessageProblem, message: string): ReadResult {
  return { ok: false, problem, message };
}

export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
  constructor(
    readonly packetBytes: number,
    readonly limit: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Publish {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface BuildOptions {
  base: string;
  /** The largest MQTT packet the broker takes (EMQX 1 MB, AWS IoT 128 KB): the whole PUBLISH, not just the payload. */
  maxPacketBytes: number;
  /** For signed topics: the merchant's private key (PKCS#8 PEM). */
  privateKeyPem?: string;
}

/**
 * Bytes of a QoS 1 PUBLISH around its payload, at most: fixed header (1 + up to 4 bytes of
 * remaining length), topic length (2) + topic, packet id (2), and 5 bytes for the MQTT 5 property
 * length and a few properties, so the bound also holds on MQTT 5.
 */
export function packetOverhead(topic: string): number {
  return 5 + 2 + Buffer.byteLength(topic) + 2 + 16;
}

/**
 * Builds one outgoing message: the payload is validated by the topic's schema (a side never
 * publishes what the other must refuse), signed if the topic is signed, and refused with
 * PayloadTooLargeError when the packet would exceed `maxPacketBytes` or the payload the topic's
 * own limit. Throws on an invalid payload: that is a bug of the caller, not input to count.
 */
export function buildMessage<N extends TopicName>(
  name: N,
  address: AddressOf<N>,
  payload: PayloadInput<N>,
  options: BuildOptions,
): Publish {
  const spec = TOPICS[name];
  const topic = topicFor(options.base, name, address);
  const checked = spec.schema.parse(payload) as PayloadOf<N> as Record<string, unknown>;
  const mismatch = addressMismatch(checked, address);
  if (mismatch) throw new TopicError(`${name}: ${mismatch}`);
  let text = JSON.stringify(checked);
  if (spec.signed) {
    if (!options.privateKeyPem) throw new TypeError(`${name} is signed: give the merchant's private key`);
    text = JSON.stringify(signDocument(text, options.privateKeyPem));
  }
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > spec.maxBytes)
    throw new PayloadTooLargeError(
      bytes.length,
      spec.maxBytes,
      `${name}: payload of ${bytes.length} bytes, more than the ${spec.maxBytes} a reader accepts`,
    );
  const packet = bytes.length + packetOverhead(topic);
  if (packet > options.maxPacketBytes)
    throw new PayloadTooLargeError(
      packet,
      options.maxPacketBytes,
      `${name}: packet of ${packet} bytes, more than the broker's limit of ${options.maxPacketBytes}`,
    );
  return { topic, payload: bytes, qos: spec.qos, retain: spec.retain };
}
