import {
  type Address,
  ANY,
  addressSegments,
  checkBase,
  MAX_TOPIC_BYTES,
  TOPIC_ID,
  TopicError,
} from "./address.js";
import { type AddressOf, TOPIC_NAMES, TOPICS, type TopicName } from "./topic-map.js";

/** The topic of `name` for `address`, e.g. `quan/v1/m-001/s-01/t-07/journal/record`. */
export function topicFor<N extends TopicName>(base: string, name: N, address: AddressOf<N>): string {
  const spec = TOPICS[name];
  if (address.scope !== spec.scope)
    throw new TopicError(`${name} is a ${spec.scope} topic, not a ${address.scope} one`);
  return [checkBase(base), ...addressSegments(address), spec.leaf].join("/");
}

export interface ParsedTopic {
  name: TopicName;
  address: Address;
}

/**
 * Reads a topic a message arrived on, or says why it is not one of ours: wildcards, empty or
 * over-long segments, control characters, a wrong base, an id that is not topic-safe, a scope
 * that does not match the leaf, an unknown leaf. Never trusts the topic more than the payload.
 */
export function parseTopic(base: string, topic: string): ParsedTopic {
  checkBase(base);
  if (typeof topic !== "string" || topic.length === 0) throw new TopicError("empty topic");
  if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES)
    throw new TopicError(`topic longer than ${MAX_TOPIC_BYTES} bytes`);
  if (/[+#]/.test(topic) || [...topic].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw new TopicError("topic holds a wildcard or a control character");
  const prefix = `${base}/`;
  if (!topic.startsWith(prefix)) throw new TopicError(`topic is not under ${base}/`);
  const segments = topic.slice(prefix.length).split("/");
  if (segments.some((s) => s.length === 0)) throw new TopicError("topic has an empty segment");
  if (segments.length < 4) throw new TopicError("topic is too short");
  const [merchant, store, terminal, ...rest] = segments as [string, string, string, ...string[]];
  const leaf = rest.join("/");
  if (!TOPIC_ID.test(merchant)) throw new TopicError("bad merchant segment");
  let address: Address;
  if (store === ANY) {
    if (terminal !== ANY) throw new TopicError("a terminal topic needs a store");
    address = { scope: "merchant", merchant };
  } else {
    if (!TOPIC_ID.test(store)) throw new TopicError("bad store segment");
    if (terminal === ANY) address = { scope: "store", merchant, store };
    else {
      if (!TOPIC_ID.test(terminal)) throw new TopicError("bad terminal segment");
      address = { scope: "terminal", merchant, store, terminal };
    }
  }
  const name = TOPIC_NAMES.find((n) => TOPICS[n].leaf === leaf && TOPICS[n].scope === address.scope);
  if (!name) throw new TopicError(`no ${address.scope} topic "${leaf.slice(0, 64)}"`);
  return { name, address };
}

/**
 * The subscription filters of one side. A terminal takes what the merchant sends to it, its
 * store and its merchant; the merchant service takes what every terminal of `merchant` sends.
 * Shared subscriptions (`$share/...`, MQTT 5) are an extra a server may add in front.
 */
export function subscriptionsOf(
  base: string,
  side: { terminal: AddressOf<"record"> } | { merchant: string },
): string[] {
  checkBase(base);
  const names = TOPIC_NAMES.filter((n) => TOPICS[n].from === ("terminal" in side ? "merchant" : "terminal"));
  if ("terminal" in side) {
    const segments = addressSegments(side.terminal);
    return names.map((n) => {
      const spec = TOPICS[n];
      const [m, s, t] = segments;
      const ids =
        spec.scope === "merchant" ? [m, ANY, ANY] : spec.scope === "store" ? [m, s, ANY] : [m, s, t];
      return [base, ...ids, spec.leaf].join("/");
    });
  }
  const merchant = addressSegments({ scope: "merchant", merchant: side.merchant })[0];
  return names.map((n) => [base, merchant, "+", "+", TOPICS[n].leaf].join("/"));
}
