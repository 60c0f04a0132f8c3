import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyCouponList } from "../../../src/protocol/coupon-list/index.js";
import {
  generateMerchantKeys,
  openEnvelopeBytes,
  signDocument,
} from "../../../src/protocol/envelope/index.js";
import {
  AssemblyError,
  buildMessage,
  checkListAgainstManifest,
  chunkDocument,
  ListAssembly,
  type ListChunk,
  openManifest,
  readMessage,
} from "../../../src/protocol/mqtt/index.js";

const keys = generateMerchantKeys();
const pinned = { merchant: "m-001", store: "s-01", publicKey: keys.publicKey };
const BASE = "quan/v1";
const S = { scope: "store", merchant: "m-001", store: "s-01" } as const;
const sha256 = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");

function listText(version: number, codes: number): string {
  const parts: string[] = [];
  for (let i = 0; i < codes; i++) parts.push(`{"code":"C${String(i).padStart(7, "0")}","campaign":"c20"}`);
  return `{"format":"quan.coupons/1","merchant":"m-001","version":${version},"issuedAt":"2026-11-22T02:00:00Z","timezone":"Asia/Shanghai","currency":"CNY","memberSalt":"f3a9c1d2e4b5a6978877","campaigns":[{"id":"c20","name":"20% off","kind":"percent","percentOff":20}],"codes":[${parts.join(",")}]}`;
}
const envelopeOf = (doc: string) => Buffer.from(JSON.stringify(signDocument(doc, keys.privateKeyPem)));
const identity = (version: number) => ({
  merchant: "m-001",
  kind: "snapshot" as const,
  version,
  issuedAt: "2026-11-22T02:00:00.000Z",
});

function assemble(
  signedManifest: string,
  chunks: ListChunk[],
  held = null as Parameters<typeof openManifest>[2],
) {
  const { manifest } = openManifest(signedManifest, pinned, held);
  const assembly = new ListAssembly(manifest);
  for (const c of chunks) assembly.add(c);
  return assembly;
}

describe("a 1,000,000-code signed list in chunks", () => {
  it("is chunked, published, read, assembled and verified byte for byte", () => {
    const doc = listText(42, 1_000_000);
    const envelope = envelopeOf(doc);
    const mem = () => {
      const m = process.memoryUsage();
      return { rss: m.rss, heap: m.heapUsed, buffers: m.arrayBuffers };
    };
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    const start = mem();
    let before = start;
    let peak = before;
    const sample = () => {
      const m = mem();
      peak = {
        rss: Math.max(peak.rss, m.rss),
        heap: Math.max(peak.heap, m.heap),
        buffers: Math.max(peak.buffers, m.buffers),
      };
    };

    let t = performance.now();
    const chunked = chunkDocument(envelope, identity(42), keys.privateKeyPem);
    const published = chunked.chunks.map((c) =>
      buildMessage("storeListChunk", S, c, { base: BASE, maxPacketBytes: 256 * 1024 }),
    );
    const chunkMs = performance.now() - t;
    sample();
    const chunkPeak = peak;
    // The terminal's side: what assembling adds on top of what the merchant side holds.
    before = mem();
    peak = before;

    t = performance.now();
    const { manifest } = openManifest(chunked.signedManifest, pinned, null);
    const assembly = new ListAssembly(manifest);
    for (const p of published) {
      const read = readMessage(p.topic, p.payload, {
        base: BASE,
        publicKey: keys.publicKey,
        reader: "terminal",
      });
      if (!read.ok) throw new Error(read.message);
      assembly.add(read.payload);
      if ((read.payload as ListChunk).index % 32 === 0) sample();
    }
    const assembled = assembly.finish();
    const assembleMs = performance.now() - t;
    sample();

    expect(assembled.equals(envelope)).toBe(true);
    const largest = Math.max(...published.map((p) => p.payload.length));
    expect(largest).toBeLessThanOrEqual(256 * 1024);
    const opened = openEnvelopeBytes(Buffer.from(assembled), keys.publicKey);
    checkListAgainstManifest(opened.document, manifest);
    console.log(
      `1,000,000 codes: envelope ${mb(envelope.length)} in ${published.length} chunks (largest payload ${largest} bytes); ` +
        `chunk+build ${chunkMs.toFixed(0)} ms, read+assemble+verify ${assembleMs.toFixed(0)} ms; ` +
        `chunking peak: buffers +${mb(chunkPeak.buffers - start.buffers)}, heap +${mb(chunkPeak.heap - start.heap)}; ` +
        `assembling peak: buffers +${mb(peak.buffers - before.buffers)}, heap +${mb(peak.heap - before.heap)}; rss at most ${mb(Math.max(peak.rss, chunkPeak.rss))}`,
    );
  }, 120_000);
});

describe("refusals", () => {
  const doc = listText(42, 40);
  const envelope = envelopeOf(doc);
  const chunked = chunkDocument(envelope, identity(42), keys.privateKeyPem, 512);
  const held42 = { version: 42, documentHash: sha256(doc) };

  it("the small list really is several chunks and assembles", () => {
    expect(chunked.chunks.length).toBeGreaterThan(3);
    expect(assemble(chunked.signedManifest, chunked.chunks).finish().equals(envelope)).toBe(true);
  });

  it("an altered chunk, changing nothing", () => {
    const assembly = assemble(chunked.signedManifest, []);
    const c = chunked.chunks[1] as ListChunk;
    const data = Buffer.from(c.data, "base64");
    data[10] = (data[10] as number) ^ 1;
    expect(() => assembly.add({ ...c, data: data.toString("base64") })).toThrow(
      expect.objectContaining({ problem: "altered_chunk" }),
    );
    expect(() =>
      assembly.add({ ...c, data: Buffer.from(c.data, "base64").subarray(1).toString("base64") }),
    ).toThrow(expect.objectContaining({ problem: "altered_chunk" }));
    expect(assembly.missing()).toContain(1);
    assembly.add(c);
    expect(assembly.missing()).not.toContain(1);
  });

  it("a missing chunk is reported, and the list is not finished without it", () => {
    const assembly = assemble(
      chunked.signedManifest,
      chunked.chunks.filter((c) => c.index !== 2),
    );
    expect(assembly.missing()).toEqual([2]);
    expect(assembly.complete).toBe(false);
    expect(() => assembly.finish()).toThrow(expect.objectContaining({ problem: "incomplete" }));
  });

  it("extra, foreign and duplicated chunks", () => {
    const assembly = assemble(chunked.signedManifest, [chunked.chunks[0] as ListChunk]);
    const last = chunked.chunks.at(-1) as ListChunk;
    expect(() => assembly.add({ ...last, index: chunked.chunks.length })).toThrow(
      expect.objectContaining({ problem: "foreign_chunk" }),
    );
    const otherCodes = listText(43, 40).replaceAll('"C0', '"D0');
    const other = chunkDocument(envelopeOf(otherCodes), identity(43), keys.privateKeyPem, 512);
    expect(() => assembly.add(other.chunks[1])).toThrow(
      expect.objectContaining({ problem: "foreign_chunk" }),
    );
    expect(() =>
      assembly.add({ ...other.chunks[1], version: 42, envelope: chunked.manifest.envelope.sha256 }),
    ).toThrow(expect.objectContaining({ problem: "altered_chunk" }));
    expect(() => assembly.add(chunked.chunks[0])).toThrow(
      expect.objectContaining({ problem: "duplicate_chunk" }),
    );
    expect(() => assembly.add({ ...chunked.chunks[0], extra: 1 })).toThrow(AssemblyError);
    expect(assembly.missing()).toEqual(chunked.chunks.slice(1).map((c) => c.index));
  });

  it("a forged or altered manifest", () => {
    const forger = generateMerchantKeys();
    const forged = chunkDocument(envelope, identity(42), forger.privateKeyPem, 512);
    expect(() => openManifest(forged.signedManifest, pinned, null)).toThrow(
      expect.objectContaining({ problem: "bad_signature" }),
    );
    const e = JSON.parse(chunked.signedManifest);
    const altered = { ...e, document: e.document.replace(chunked.manifest.chunks[0], "0".repeat(64)) };
    expect(() => openManifest(JSON.stringify(altered), pinned, null)).toThrow(
      expect.objectContaining({ problem: "bad_signature" }),
    );
    const otherMerchant = chunkDocument(
      envelope,
      { ...identity(42), merchant: "m-002" },
      keys.privateKeyPem,
      512,
    );
    expect(() => openManifest(otherMerchant.signedManifest, pinned, null)).toThrow(
      expect.objectContaining({ problem: "wrong_merchant" }),
    );
    const otherStore = chunkDocument(envelope, { ...identity(42), store: "s-02" }, keys.privateKeyPem, 512);
    expect(() => openManifest(otherStore.signedManifest, pinned, null)).toThrow(
      expect.objectContaining({ problem: "wrong_store" }),
    );
  });

  it("a replayed version (older than, or another list of, the version in force); the same list is harmless", () => {
    const held43 = { version: 43, documentHash: "a".repeat(64) };
    expect(() => openManifest(chunked.signedManifest, pinned, held43)).toThrow(
      expect.objectContaining({ problem: "stale_version" }),
    );
    expect(() => openManifest(chunked.signedManifest, pinned, held42)).toThrow(
      expect.objectContaining({ problem: "stale_version" }),
    );
    expect(
      openManifest(chunked.signedManifest, pinned, held42, chunked.manifest.envelope.sha256).unchanged,
    ).toBe(true);
  });

  it("a delta on the wrong base, or with nothing in force", () => {
    const delta = (base: { version: number; documentHash: string }) =>
      chunkDocument(
        envelopeOf('{"format":"quan.coupons-delta/1"}'),
        { ...identity(43), kind: "delta", base },
        keys.privateKeyPem,
        512,
      ).signedManifest;
    expect(openManifest(delta(held42), pinned, held42).manifest.kind).toBe("delta");
    for (const [base, held] of [
      [{ version: 41, documentHash: held42.documentHash }, held42],
      [{ version: 42, documentHash: "b".repeat(64) }, held42],
      [held42, null],
    ] as const)
      expect(() => openManifest(delta(base), pinned, held)).toThrow(
        expect.objectContaining({ problem: "wrong_base" }),
      );
  });

  it("a manifest whose list inside is not the one it announces", () => {
    const lying = chunkDocument(envelope, identity(44), keys.privateKeyPem, 512);
    const assembled = assemble(lying.signedManifest, lying.chunks).finish();
    const opened = openEnvelopeBytes(Buffer.from(assembled), keys.publicKey);
    expect(() => checkListAgainstManifest(opened.document, lying.manifest)).toThrow(
      /version is 42, the manifest says 44/,
    );
    // The list itself still passes its own checks: only the manifest comparison catches the lie.
    expect(
      verifyCouponList(assembled.toString(), { id: "m-001", publicKey: keys.publicKey }, null).list.version,
    ).toBe(42);
  });
});
