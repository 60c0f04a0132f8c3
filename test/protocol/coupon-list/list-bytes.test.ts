import { describe, expect, it } from "vitest";
import { checkCode, codeSchema } from "../../../src/protocol/coupon-list/index.js";
import {
  generateMerchantKeys,
  openEnvelope,
  openEnvelopeBytes,
  SignatureError,
  signDocument,
} from "../../../src/protocol/envelope/index.js";
import { MAX_ENVELOPE_BYTES } from "../../../src/protocol/limits.js";

describe("the hand-written code check accepts exactly what codeSchema accepts", () => {
  const values = [
    undefined,
    null,
    "",
    "ABCD",
    "ABC",
    "-ABC",
    "A".repeat(64),
    "A".repeat(65),
    "ab_c-D",
    "AB CD",
    "ÄBCD",
    "a".repeat(64),
    "A".repeat(64),
    "JBSWY3DPEHPK3PXP",
    "JBSWY3DPEHPK3PX",
    "JBSWY3DPEHPK3PXP==",
    "jbswy3dpehpk3pxp",
    0,
    1,
    2.5,
    -1,
    2 ** 53,
    1e6,
    true,
    [],
    {},
  ];
  const cases: unknown[] = [null, [], "x", 5];
  for (const code of values) for (const campaign of [undefined, "", "c", 3]) cases.push({ code, campaign });
  for (const field of ["uses", "member", "totp"])
    for (const v of values) cases.push({ code: "ABCD-1", campaign: "c", [field]: v, extra: 1 });

  it.each(cases.map((c) => [JSON.stringify(c) ?? String(c), c]))("%s", (_name, raw) => {
    const mine = checkCode(raw);
    const zod = codeSchema.safeParse(raw);
    expect(typeof mine !== "string", typeof mine === "string" ? mine : "accepted").toBe(zod.success);
    if (zod.success) expect(mine).toEqual(zod.data);
  });
});

describe("opening an envelope from its bytes agrees with openEnvelope", () => {
  const keys = generateMerchantKeys();
  it.each([
    ["plain", '{"a":1}'],
    ["every escape", JSON.stringify({ s: '"\\/\b\f\n\r\t\u0001', zh: "全场八折", e: "😀" })],
    ["lone surrogates", JSON.stringify({ s: "\ud800x\udc00" })],
    ["slash escaped by the envelope writer", '{"s":"a/b"}'],
  ])("%s", (_name, document) => {
    const text = JSON.stringify(signDocument(document, keys.privateKeyPem)).replace("a/b", "a\\/b");
    const expected = Buffer.from(openEnvelope(text, keys.publicKey).document, "utf8");
    expect(openEnvelopeBytes(Buffer.from(text, "utf8"), keys.publicKey).document.equals(expected)).toBe(true);
  });

  it("a \\u-escaped envelope (as some JSON writers emit) verifies the same", () => {
    const env = signDocument(JSON.stringify({ name: "全场八折" }), keys.privateKeyPem);
    const text = JSON.stringify(env).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    expect(openEnvelopeBytes(Buffer.from(text), keys.publicKey).document.toString()).toBe(env.document);
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["unsigned list", '{"format":"quan.coupons/1"}', /unsigned/],
    [
      "bad escape",
      '{"format":"quan.signed/1","alg":"Ed25519","signature":"","document":"\\x"}',
      /bad escape/,
    ],
    [
      "raw control character",
      '{"format":"quan.signed/1","alg":"Ed25519","signature":"","document":"a\u0001"}',
      /control character/,
    ],
    [
      "two documents",
      '{"format":"quan.signed/1","alg":"Ed25519","signature":"","document":"","document":""}',
      /more than one/,
    ],
    ["not UTF-8", Buffer.from([0x7b, 0xff, 0x7d]), /UTF-8/],
  ])("refuses %s", (_name, text, message) => {
    expect(() => openEnvelopeBytes(Buffer.from(text as string), keys.publicKey)).toThrow(message);
  });

  it("refuses a document altered after signing", () => {
    const text = JSON.stringify(signDocument('{"v":1}', keys.privateKeyPem)).replace(
      '\\"v\\":1',
      '\\"v\\":2',
    );
    expect(() => openEnvelopeBytes(Buffer.from(text), keys.publicKey)).toThrow(
      /does not match the pinned merchant key/,
    );
  });
});

describe("the text and byte readers of an envelope refuse the same hostile inputs the same way", () => {
  const keys = generateMerchantKeys();
  const good = signDocument('{"v":1}', keys.privateKeyPem);
  const text = JSON.stringify(good);
  const hostile: [string, string][] = [
    ["an unknown field", JSON.stringify({ ...good, junk: "x" })],
    [
      "an unknown field nested 100,000 deep",
      `${text.slice(0, -1)},"junk":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    ],
    ["nesting just past the limit", `${text.slice(0, -1)},"junk":${"[".repeat(32)}${"]".repeat(32)}}`],
    ["an alg that is not a string", JSON.stringify({ ...good, alg: 1 })],
    ["another alg", JSON.stringify({ ...good, alg: "RS256" })],
    ["a document that is not a string", JSON.stringify({ ...good, document: { v: 1 } })],
    ["a signature that is not a string", JSON.stringify({ ...good, signature: 5 })],
    ["an unsigned list", JSON.stringify({ format: "quan.coupons/1", codes: [] })],
    ["an array", "[]"],
    ["not JSON", "{"],
    ["a forged signature", JSON.stringify({ ...good, signature: Buffer.alloc(64).toString("base64") })],
    ["an altered document", text.replace('\\"v\\":1', '\\"v\\":2')],
  ];
  const outcome = (f: () => unknown) => {
    try {
      f();
      return "accepted";
    } catch (err) {
      if (!(err instanceof SignatureError)) throw err;
      return err.problem;
    }
  };
  it.each(hostile)("%s", (_name, envelope) => {
    const asText = outcome(() => openEnvelope(envelope, keys.publicKey));
    expect(asText).not.toBe("accepted");
    expect(outcome(() => openEnvelopeBytes(Buffer.from(envelope, "utf8"), keys.publicKey))).toBe(asText);
  });

  it("more than 64 MiB, whatever it holds", () => {
    const big = `${text.slice(0, -1)},"pad":"${"x".repeat(MAX_ENVELOPE_BYTES)}"}`;
    expect(() => openEnvelope(big, keys.publicKey)).toThrow(/larger than 64 MiB/);
    expect(() => openEnvelopeBytes(Buffer.from(big, "utf8"), keys.publicKey)).toThrow(/larger than 64 MiB/);
  });

  it("a well-formed envelope opens the same both ways", () => {
    expect(openEnvelopeBytes(Buffer.from(text), keys.publicKey).document.toString()).toBe(
      openEnvelope(text, keys.publicKey).document,
    );
  });
});
