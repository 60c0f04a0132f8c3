import { createHash } from "node:crypto";
import { openEnvelope, SignatureError, signDocument } from "../envelope/index.js";
import { formatIssues } from "../issues.js";
import { objectMembers } from "../json-spans.js";
import { jsonDepthExceeds, MAX_ENVELOPE_BYTES, MAX_JSON_DEPTH } from "../limits.js";
import {
  type ListChunk,
  type ListManifest,
  listChunkSchema,
  listManifestSchema,
  MAX_CHUNK_DATA_BYTES,
  MAX_CHUNKS,
} from "./payloads/list.js";

/*
 * Large signed documents (a coupon list's `quan.signed/1` envelope, up to 64 MiB) travel as chunks
 * under a signed manifest that lists each chunk's SHA-256. Pure: bytes in, bytes out; the caller
 * publishes, receives and stores.
 */

/** Default chunk size: 180 KiB of data, about 240 KiB once base64-encoded in its payload. */
export const DEFAULT_CHUNK_BYTES = 180 * 1024;

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

export interface ListIdentity {
  merchant: string;
  store?: string;
  kind: "snapshot" | "delta";
  version: number;
  base?: { version: number; documentHash: string };
  issuedAt: string;
}

export interface ChunkedDocument {
  manifest: ListManifest;
  /** The manifest's signed envelope, as published (JSON text). */
  signedManifest: string;
  chunks: ListChunk[];
}

/** Splits `envelope` (a list's signed envelope, as bytes) into chunks and signs their manifest. */
export function chunkDocument(
  envelope: Buffer,
  list: ListIdentity,
  privateKeyPem: string,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): ChunkedDocument {
  if (!(Number.isInteger(chunkBytes) && chunkBytes >= 1 && chunkBytes <= MAX_CHUNK_DATA_BYTES))
    throw new RangeError(`chunkBytes must be 1-${MAX_CHUNK_DATA_BYTES}`);
  if (envelope.length === 0 || envelope.length > MAX_ENVELOPE_BYTES)
    throw new RangeError(`a document is 1 byte to ${MAX_ENVELOPE_BYTES / 1024 / 1024} MiB`);
  const count = Math.ceil(envelope.length / chunkBytes);
  if (count > MAX_CHUNKS)
    throw new RangeError(`${count} chunks: more than ${MAX_CHUNKS}; use larger chunks (chunkBytes)`);
  const envelopeHash = sha256(envelope);
  const hashes: string[] = [];
  const chunks: ListChunk[] = [];
  for (let index = 0; index < count; index++) {
    const data = envelope.subarray(index * chunkBytes, (index + 1) * chunkBytes);
    hashes.push(sha256(data));
    chunks.push({
      format: "quan.list-chunk/1",
      merchant: list.merchant,
      version: list.version,
      envelope: envelopeHash,
      index,
      data: data.toString("base64"),
    });
  }
  const manifest = listManifestSchema.parse({
    format: "quan.list-manifest/1",
    merchant: list.merchant,
    ...(list.store ? { store: list.store } : {}),
    kind: list.kind,
    version: list.version,
    ...(list.base ? { base: list.base } : {}),
    issuedAt: list.issuedAt,
    envelope: { bytes: envelope.length, sha256: envelopeHash },
    chunkBytes,
    chunks: hashes,
  });
  const signedManifest = JSON.stringify(signDocument(JSON.stringify(manifest), privateKeyPem));
  return { manifest, signedManifest, chunks };
}

export type AssemblyProblem =
  | "malformed_envelope"
  | "unsigned"
  | "bad_signature"
  | "invalid_manifest"
  | "wrong_merchant"
  | "wrong_store"
  | "stale_version"
  | "wrong_base"
  | "foreign_chunk"
  | "altered_chunk"
  | "duplicate_chunk"
  | "incomplete";

export class AssemblyError extends Error {
  override name = "AssemblyError";
  constructor(
    readonly problem: AssemblyProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The list a terminal holds: version and SHA-256 of its signed document bytes (what deltas name as base). */
export interface ListHeld {
  version: number;
  documentHash: string;
}

export interface ManifestVerdict {
  manifest: ListManifest;
  /** True when this is the list already in force: nothing to fetch. */
  unchanged: boolean;
}

/**
 * Everything a manifest must pass before a single chunk is fetched: the merchant's signature, a
 * valid manifest, our merchant (and store, when it names one), a version newer than the one in
 * force (an older or equal one is a replay), and for a delta the exact list in force as its base.
 */
export function openManifest(
  signedManifest: string,
  pinned: { merchant: string; store: string; publicKey: string },
  held: ListHeld | null,
  /** The envelope SHA-256 of the manifest in force, to tell a harmless re-delivery from a replay. */
  heldEnvelope?: string,
): ManifestVerdict {
  let document: string;
  try {
    document = openEnvelope(signedManifest, pinned.publicKey).document;
  } catch (err) {
    if (err instanceof SignatureError)
      throw new AssemblyError(err.problem, `manifest refused: ${err.message}`);
    throw err;
  }
  if (jsonDepthExceeds(document, MAX_JSON_DEPTH))
    throw new AssemblyError("invalid_manifest", "manifest refused: nested too deeply");
  let raw: unknown;
  try {
    raw = JSON.parse(document);
  } catch (err) {
    throw new AssemblyError("invalid_manifest", `manifest refused: not JSON (${(err as Error).message})`);
  }
  const parsed = listManifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new AssemblyError(
      "invalid_manifest",
      `manifest refused: ${formatIssues(parsed.error.issues).slice(0, 5).join("; ")}`,
    );
  const m = parsed.data;
  if (m.merchant !== pinned.merchant)
    throw new AssemblyError("wrong_merchant", `manifest refused: for merchant "${m.merchant}"`);
  if (m.store !== undefined && m.store !== pinned.store)
    throw new AssemblyError("wrong_store", `manifest refused: for store "${m.store}"`);
  if (held) {
    if (m.version === held.version && heldEnvelope === m.envelope.sha256)
      return { manifest: m, unchanged: true };
    if (m.version <= held.version)
      throw new AssemblyError(
        "stale_version",
        `manifest refused: version ${m.version} is not newer than version ${held.version} in force`,
      );
  }
  if (m.kind === "delta") {
    const base = m.base as ListHeld;
    if (!held || base.version !== held.version || base.documentHash !== held.documentHash)
      throw new AssemblyError(
        "wrong_base",
        `manifest refused: a delta on version ${base.version}, the list in force is ${
          held ? `version ${held.version}` : "none"
        }${held && base.version === held.version ? " with another document" : ""}: ask for a resync`,
      );
  }
  return { manifest: m, unchanged: false };
}

/**
 * Collects the chunks of one verified manifest into one buffer of the envelope's size (so memory
 * is the document plus one chunk), checking each chunk against the manifest as it comes.
 * A refused chunk changes nothing.
 */
export class ListAssembly {
  private readonly bytes: Buffer;
  private readonly have: Uint8Array;
  private received = 0;

  constructor(readonly manifest: ListManifest) {
    this.bytes = Buffer.allocUnsafe(manifest.envelope.bytes);
    this.have = new Uint8Array(manifest.chunks.length);
  }

  /** Takes one chunk payload (already read with `listChunkSchema`, or raw). */
  add(chunk: unknown): void {
    const parsed = listChunkSchema.safeParse(chunk);
    if (!parsed.success)
      throw new AssemblyError(
        "foreign_chunk",
        `chunk refused: ${formatIssues(parsed.error.issues).slice(0, 3).join("; ")}`,
      );
    const c = parsed.data;
    const m = this.manifest;
    if (c.envelope !== m.envelope.sha256 || c.version !== m.version || c.merchant !== m.merchant)
      throw new AssemblyError(
        "foreign_chunk",
        `chunk refused: it belongs to another list (version ${c.version})`,
      );
    if (c.index >= m.chunks.length)
      throw new AssemblyError(
        "foreign_chunk",
        `chunk refused: index ${c.index}, the manifest has ${m.chunks.length}`,
      );
    if (this.have[c.index])
      throw new AssemblyError("duplicate_chunk", `chunk ${c.index} refused: already received`);
    const data = Buffer.from(c.data, "base64");
    const expected = Math.min(m.chunkBytes, m.envelope.bytes - c.index * m.chunkBytes);
    if (data.length !== expected || data.toString("base64") !== c.data || sha256(data) !== m.chunks[c.index])
      throw new AssemblyError("altered_chunk", `chunk ${c.index} refused: its hash is not the manifest's`);
    data.copy(this.bytes, c.index * m.chunkBytes);
    this.have[c.index] = 1;
    this.received++;
  }

  /** Indexes still missing, to ask for with `list/want`. */
  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.have.length; i++) if (!this.have[i]) out.push(i);
    return out;
  }

  get complete(): boolean {
    return this.received === this.have.length;
  }

  /**
   * The reassembled envelope, its whole SHA-256 checked against the manifest. Its own signature,
   * and that the list inside is the kind, version and base the manifest names, are for the
   * applier to check (`verifyCouponList`, `openEnvelopeBytes`, then `checkListAgainstManifest`).
   */
  finish(options: { wholeHashCheckedElsewhere?: boolean } = {}): Buffer {
    const missing = this.missing();
    if (missing.length)
      throw new AssemblyError(
        "incomplete",
        `list incomplete: ${missing.length} of ${this.have.length} chunks missing (${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""})`,
      );
    // Every chunk already matched the signed manifest; a caller may check the whole off its hot path.
    if (!options.wholeHashCheckedElsewhere && sha256(this.bytes) !== this.manifest.envelope.sha256)
      throw new AssemblyError("altered_chunk", "list refused: the assembled bytes do not match the manifest");
    return this.bytes;
  }
}

/**
 * After the applier opened the assembled envelope (`openEnvelopeBytes`): checks that the signed
 * list inside is what the manifest announced (merchant, kind, version, base), reading only its
 * top-level scalars, so a manifest cannot carry an older list under a newer version number.
 */
export function checkListAgainstManifest(document: Buffer, manifest: ListManifest): void {
  let members: ReturnType<typeof objectMembers>;
  try {
    members = objectMembers(document);
  } catch (err) {
    throw new AssemblyError("invalid_manifest", `list refused: not JSON (${(err as Error).message})`);
  }
  const scalar = (key: string): unknown => {
    const m = members.find((x) => x.key === key);
    if (!m || m.end - m.start > 200) return undefined;
    return JSON.parse(document.toString("utf8", m.start, m.end));
  };
  const kind = manifest.kind === "snapshot" ? "quan.coupons/1" : "quan.coupons-delta/1";
  const seen = {
    format: scalar("format"),
    merchant: scalar("merchant"),
    version: scalar("version"),
    baseVersion: scalar("baseVersion"),
    baseDocumentHash: scalar("baseDocumentHash"),
  };
  const want = {
    format: kind,
    merchant: manifest.merchant,
    version: manifest.version,
    baseVersion: manifest.base?.version,
    baseDocumentHash: manifest.base?.documentHash,
  };
  for (const key of Object.keys(want) as (keyof typeof want)[])
    if (seen[key] !== want[key])
      throw new AssemblyError(
        "invalid_manifest",
        `list refused: its ${key} is ${JSON.stringify(seen[key])}, the manifest says ${JSON.stringify(want[key])}`,
      );
}
