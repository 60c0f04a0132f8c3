import { isUtf8 } from "node:buffer";
import { verify } from "node:crypto";
import { JsonSpanError, objectMembers, stringEnd } from "../json-spans.js";
import { publicKeyObject } from "./keys.js";
import { canonicalEnvelope, checkEnvelopeLimits, SignatureError } from "./signing.js";

export interface OpenedEnvelope {
  /** Base64 of the Ed25519 signature. */
  signature: string;
  /** The exact signed bytes of the document (a view on the buffer that was passed in). */
  document: Buffer;
}

/**
 * The byte-level twin of `openEnvelope` for lists too big to hold as strings: a million-code
 * envelope is ~55 MB of bytes, but as a JS string it is 55 MB (110 MB if it holds any Chinese
 * character), and its `document` another copy. Here the document's JSON string is unescaped in
 * place inside `bytes` (unescaping never lengthens it), so memory stays at the file's size.
 * `bytes` is overwritten: pass a buffer you own. Same limits and field checks as `openEnvelope`
 * (`checkEnvelopeLimits`, `canonicalEnvelope`); a test runs both over the same hostile inputs.
 */
export function openEnvelopeBytes(bytes: Buffer, pinnedPublicKey: string): OpenedEnvelope {
  checkEnvelopeLimits(bytes);
  if (!isUtf8(bytes)) throw new SignatureError("malformed_envelope", "not UTF-8 text");
  let members: ReturnType<typeof objectMembers>;
  try {
    members = objectMembers(bytes);
  } catch (err) {
    if (err instanceof JsonSpanError || err instanceof SyntaxError)
      throw new SignatureError("malformed_envelope", `not JSON: ${err.message}`);
    throw err;
  }
  const documents = members.filter((m) => m.key === "document");
  const doc = documents[0];
  if (documents.length > 1) throw new SignatureError("malformed_envelope", "more than one document");
  // Everything but the document's text goes through JSON.parse and the same field checks as the
  // text reader (the document stands in as ""); the document's text is checked by the strict
  // unescaper below.
  const isString = doc !== undefined && bytes[doc.start] === 0x22;
  const rest = isString
    ? Buffer.concat([bytes.subarray(0, doc.start), Buffer.from('""'), bytes.subarray(doc.end)])
    : bytes;
  let e: unknown;
  try {
    e = JSON.parse(rest.toString("utf8"));
  } catch (err) {
    throw new SignatureError("malformed_envelope", `not JSON: ${(err as Error).message}`);
  }
  const envelope = canonicalEnvelope(e);
  if (envelope.alg !== "Ed25519")
    throw new SignatureError("malformed_envelope", `unsupported alg ${String(envelope.alg)}`);
  const document = unescapeInPlace(bytes, (doc as { start: number }).start, (doc as { end: number }).end);
  const signature = Buffer.from(envelope.signature, "base64");
  const ok = signature.length === 64 && verify(null, document, publicKeyObject(pinnedPublicKey), signature);
  if (!ok)
    throw new SignatureError(
      "bad_signature",
      "signature does not match the pinned merchant key (forged or altered)",
    );
  return { signature: envelope.signature, document };
}

/**
 * Decodes the JSON string at b[start, end) (quotes included) to its UTF-8 bytes, written from
 * `start` onwards; returns a view on them. Encodes exactly as Buffer.from(JSON.parse(s), "utf8")
 * would, lone surrogates included (as U+FFFD), so the signature covers the same bytes.
 */
export function unescapeInPlace(b: Buffer, start: number, end: number): Buffer {
  if (stringEnd(b, start) !== end)
    throw new SignatureError("malformed_envelope", "document is not one string");
  let w = start;
  let r = start + 1;
  const last = end - 1;
  while (r < last) {
    const c = b[r] as number;
    if (c < 0x20)
      throw new SignatureError("malformed_envelope", `control character in the document at byte ${r}`);
    if (c !== 0x5c) {
      b[w++] = c;
      r++;
      continue;
    }
    const e = b[r + 1];
    r += 2;
    if (e === 0x75) {
      let unit = hex4(b, r, last);
      r += 4;
      if (unit >= 0xd800 && unit <= 0xdbff && b[r] === 0x5c && b[r + 1] === 0x75) {
        const low = hex4(b, r + 2, last);
        if (low >= 0xdc00 && low <= 0xdfff) {
          unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
          r += 6;
        }
      }
      if (unit >= 0xd800 && unit <= 0xdfff) unit = 0xfffd;
      w = writeUtf8(b, w, unit);
    } else {
      const decoded = SIMPLE_ESCAPES[e ?? 0];
      if (decoded === undefined)
        throw new SignatureError("malformed_envelope", `bad escape in the document at byte ${r - 2}`);
      b[w++] = decoded;
    }
  }
  return b.subarray(start, w);
}

const SIMPLE_ESCAPES: Record<number, number> = {
  34: 0x22,
  92: 0x5c,
  47: 0x2f,
  98: 0x08,
  102: 0x0c,
  110: 0x0a,
  114: 0x0d,
  116: 0x09,
};

function hex4(b: Buffer, at: number, limit: number): number {
  if (at + 4 > limit)
    throw new SignatureError("malformed_envelope", `bad \\u escape in the document at byte ${at}`);
  const text = b.toString("latin1", at, at + 4);
  if (!/^[0-9a-fA-F]{4}$/.test(text))
    throw new SignatureError("malformed_envelope", `bad \\u escape in the document at byte ${at}`);
  return Number.parseInt(text, 16);
}

function writeUtf8(b: Buffer, w: number, cp: number): number {
  if (cp < 0x80) b[w++] = cp;
  else if (cp < 0x800) {
    b[w++] = 0xc0 | (cp >> 6);
    b[w++] = 0x80 | (cp & 0x3f);
  } else if (cp < 0x10000) {
    b[w++] = 0xe0 | (cp >> 12);
    b[w++] = 0x80 | ((cp >> 6) & 0x3f);
    b[w++] = 0x80 | (cp & 0x3f);
  } else {
    b[w++] = 0xf0 | (cp >> 18);
    b[w++] = 0x80 | ((cp >> 12) & 0x3f);
    b[w++] = 0x80 | ((cp >> 6) & 0x3f);
    b[w++] = 0x80 | (cp & 0x3f);
  }
  return w;
}
