import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateMerchantKeys, signDocument } from "../../../src/protocol/envelope/index.js";
import { readMessage, TOPIC_NAMES, TOPICS, type TopicName } from "../../../src/protocol/mqtt/index.js";

/*
 * The payload examples in docs/examples/mqtt are the ones docs/protocol.md shows: each must be
 * accepted by its topic's schema as a server would publish it, so the document cannot drift.
 */
const DIR = "docs/examples/mqtt";
const BASE = "quan/v1";
const publicKey = readFileSync(`${DIR}/merchant-public-key.txt`, "utf8").trim();
const topics = JSON.parse(readFileSync(`${DIR}/topics.json`, "utf8")) as Record<TopicName, string>;
const examples = Object.keys(topics) as TopicName[];
const text = (name: TopicName) => readFileSync(`${DIR}/${name}.json`, "utf8");
const readerOf = (name: TopicName) => (TOPICS[name].from === "terminal" ? "merchant" : "terminal");
const read = (name: TopicName, payload: string | Buffer, key = publicKey, topic = topics[name]) =>
  readMessage(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), {
    base: BASE,
    publicKey: key,
    reader: readerOf(name),
  });

/** Values of another JSON type than `v`. */
function wrongValuesFor(v: unknown): unknown[] {
  const object = typeof v === "object" && v !== null;
  return [
    Array.isArray(v) ? {} : [],
    object && !Array.isArray(v) ? 7 : {},
    typeof v === "boolean" ? "7" : true,
    typeof v === "string" ? 7 : "7",
  ];
}

/** The fields that may be null: "nothing yet". */
const NULLABLE = new Set(["have", "list"]);
const payloadOf = (name: TopicName): Record<string, unknown> =>
  JSON.parse(TOPICS[name].signed ? JSON.parse(text(name)).document : text(name));

// Hostile variants of a signed document are signed with a key of the test's own, so they reach the schema.
const testKeys = generateMerchantKeys();
/** The example's payload object (for a signed topic, its signed document) and a way to send a variant of it. */
function variant(name: TopicName, change: (p: Record<string, unknown>) => void) {
  const outer = JSON.parse(text(name));
  const inner = TOPICS[name].signed ? JSON.parse(outer.document) : outer;
  change(inner);
  if (!TOPICS[name].signed) return read(name, JSON.stringify(inner));
  return read(
    name,
    JSON.stringify(signDocument(JSON.stringify(inner), testKeys.privateKeyPem)),
    testKeys.publicKey,
  );
}

describe("every payload example in docs/examples/mqtt", () => {
  it("covers every payload schema and only topics of the map", () => {
    expect(
      readdirSync(DIR)
        .filter((f) => f.endsWith(".json") && f !== "topics.json")
        .sort(),
    ).toEqual(examples.map((n) => `${n}.json`).sort());
    for (const n of examples) expect(TOPIC_NAMES).toContain(n);
    const schemas = new Set(TOPIC_NAMES.map((n) => TOPICS[n].schema));
    expect(new Set(examples.map((n) => TOPICS[n].schema))).toEqual(schemas);
  });

  it.each(examples)("%s is accepted on its topic", (name) => {
    const result = read(name, text(name));
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, name });
  });

  it.each(examples)("%s: an unknown field is refused", (name) => {
    expect(variant(name, (p) => (p.extra = 1))).toMatchObject({ ok: false, problem: "invalid" });
  });

  it.each(examples)("%s: every field with a wrong type, or null where not allowed, is refused", (name) => {
    const example = payloadOf(name);
    for (const field of Object.keys(example))
      for (const wrong of wrongValuesFor(example[field])) {
        const result = variant(name, (p) => (p[field] = wrong));
        expect(result, `${field} = ${JSON.stringify(wrong)}`).toMatchObject({
          ok: false,
          problem: "invalid",
        });
      }
    for (const field of Object.keys(example).filter((f) => !NULLABLE.has(f)))
      expect(
        variant(name, (p) => (p[field] = null)),
        `${field} = null`,
      ).toMatchObject({ ok: false });
  });

  it.each(examples)("%s: a payload over the topic's limit is refused before it is parsed", (name) => {
    const limit = TOPICS[name].maxBytes;
    // Valid JSON nested far too deep, so a reader that parsed first would say something else.
    const hostile = Buffer.from(`${"[".repeat(limit / 2 + 1)}${"]".repeat(limit / 2 + 1)}`);
    expect(read(name, hostile)).toMatchObject({ ok: false, problem: "oversized" });
    const padded = text(name).replace(/\n$/, "") + " ".repeat(limit);
    expect(read(name, padded)).toMatchObject({ ok: false, problem: "oversized" });
  });

  it.each(examples)("%s: deep nesting, non-JSON and non-UTF-8 are refused", (name) => {
    expect(read(name, `{"format":${"[".repeat(40)}${"]".repeat(40)}}`)).toMatchObject({
      problem: "too_deep",
    });
    expect(variant(name, (p) => (p.format = JSON.parse(`${"[".repeat(40)}${"]".repeat(40)}`)))).toMatchObject(
      {
        ok: false,
        problem: "too_deep",
      },
    );
    expect(read(name, text(name).slice(0, -5))).toMatchObject({
      ok: false,
      problem: TOPICS[name].signed ? "malformed_envelope" : "not_json",
    });
    expect(read(name, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({
      ok: false,
      problem: "not_utf8",
    });
  });

  it.each(examples)("%s: sent on another terminal's or store's topic, it is refused", (name) => {
    const elsewhere = topics[name].replace("/s-01/", "/s-02/").replace("/t-07/", "/t-08/");
    const result = read(name, text(name), publicKey, elsewhere);
    // Payloads that name no terminal or store at the top (a record's are inside its hashed text) are
    // checked elsewhere (openTravellingRecord, the merchant's own records); the others say whose they are.
    const p = payloadOf(name);
    if ("terminal" in p || "store" in p)
      expect(result).toMatchObject({ ok: false, problem: "wrong_address" });
    else
      expect(["record", "storeAccepted", "conflict", "storeListManifest", "storeListChunk"]).toContain(name);
    if ("merchant" in p)
      expect(read(name, text(name), publicKey, topics[name].replace("/m-001/", "/m-002/"))).toMatchObject({
        ok: false,
        problem: "wrong_address",
      });
  });

  it.each(examples.filter((n) => TOPICS[n].signed))("%s: forged, altered or unsigned is refused", (name) => {
    const envelope = JSON.parse(text(name));
    const altered = { ...envelope, document: envelope.document.replace("m-001", "m-002") };
    expect(read(name, JSON.stringify(altered))).toMatchObject({ ok: false, problem: "bad_signature" });
    const forged = signDocument(envelope.document, testKeys.privateKeyPem);
    expect(read(name, JSON.stringify(forged))).toMatchObject({ ok: false, problem: "bad_signature" });
    expect(read(name, envelope.document)).toMatchObject({ ok: false, problem: "malformed_envelope" });
    expect(read(name, JSON.stringify({ ...envelope, extra: 1 }))).toMatchObject({
      ok: false,
      problem: "malformed_envelope",
    });
  });

  it.each(examples)("%s is refused by the side that publishes it", (name) => {
    const result = readMessage(topics[name], Buffer.from(text(name)), {
      base: BASE,
      publicKey,
      reader: TOPICS[name].from,
    });
    expect(result).toMatchObject({ ok: false, problem: "bad_topic" });
  });
});
