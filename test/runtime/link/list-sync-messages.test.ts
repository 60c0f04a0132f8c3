import { afterEach, describe, expect, it } from "vitest";
import { generateMerchantKeys, signDocument } from "../../../src/protocol/envelope/index.js";
import {
  AssemblyError,
  chunkDocument,
  type ListChunk,
  type ListResync,
  type ListWant,
  openManifest,
} from "../../../src/protocol/mqtt/index.js";
import { ListSync, ListSyncRefusal } from "../../../src/runtime/link/list-sync.js";
import { silentLogger } from "../../../src/runtime/log.js";
import {
  listCacheSnapshot,
  listDocument,
  makeStore,
  type StoreFixture,
} from "../../helpers/store-fixture.js";

/*
 * List sync driven by messages, no broker: real signed manifests and chunks (the protocol's
 * builders), a real store on disk putting the list in force through its public entries.
 */
const NOW = Date.parse("2026-01-02T00:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000 }];
const codesUpTo = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ code: `CODE-${String(i).padStart(4, "0")}`, campaign: "cash" }));

let fx: StoreFixture | null = null;
afterEach(() => {
  fx?.cleanup();
  fx = null;
});

function rig() {
  fx = makeStore(campaigns, codesUpTo(2), { now: NOW });
  const f = fx;
  const wants: Omit<ListWant, "format" | "terminal">[] = [];
  const resyncs: Pick<ListResync, "reason">[] = [];
  const sync = new ListSync({
    merchant: "m-test",
    store: "S1",
    terminal: "T1",
    held: () => f.store.listHead(),
    apply: async (kind, envelope) => {
      if (kind === "snapshot") f.store.importList(envelope, NOW);
      else f.store.applyDelta(envelope, NOW);
    },
    send: {
      want: async (w) => void wants.push(w),
      resync: async (r) => void resyncs.push(r),
    },
    log: silentLogger(),
    wantAfterMs: 30,
  });
  /** A snapshot of `n` codes at `version`, signed, chunked small so it takes several chunks. */
  const snapshot = (version: number, n: number, key = f.keys.privateKeyPem) => {
    const envelope = Buffer.from(
      JSON.stringify(
        signDocument(
          JSON.stringify(
            listDocument(campaigns, codesUpTo(n), { version, issuedAt: "2026-01-01T12:00:00Z" }),
          ),
          key,
        ),
      ),
    );
    const pub = { merchant: "m-test", kind: "snapshot" as const, version, issuedAt: "2026-01-01T12:00:00Z" };
    return chunkDocument(envelope, pub, key, 256);
  };
  const delta = (version: number, base: { version: number; documentHash: string }, code: string) => {
    const doc = {
      format: "quan.coupons-delta/1",
      merchant: "m-test",
      version,
      baseVersion: base.version,
      baseDocumentHash: base.documentHash,
      issuedAt: "2026-01-01T13:00:00Z",
      codes: { upsert: [{ code, campaign: "cash" }] },
    };
    const envelope = Buffer.from(JSON.stringify(signDocument(JSON.stringify(doc), f.keys.privateKeyPem)));
    const id = { merchant: "m-test", kind: "delta" as const, version, base, issuedAt: doc.issuedAt };
    return chunkDocument(envelope, id, f.keys.privateKeyPem, 256);
  };
  const version = () => f.store.listHead()?.version;
  const accepts = (code: string) => f.store.check({ amount: 5000, coupons: [{ code }] }, NOW).lines[0]?.ok;
  return { f, sync, wants, resyncs, snapshot, delta, version, accepts };
}

const feed = async (sync: ListSync, chunks: ListChunk[]) => {
  for (const c of chunks) await sync.chunk(c);
};
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof ListSyncRefusal) return err.problem;
    throw err;
  }
  return "accepted";
};

describe("list sync, message by message", () => {
  it("a snapshot arrives in chunks (in any order) and is put in force once complete and verified", async () => {
    const r = rig();
    const doc = r.snapshot(2, 40);
    expect(doc.chunks.length).toBeGreaterThan(3);
    await r.sync.manifest(doc.manifest);
    await feed(r.sync, [...doc.chunks].reverse().slice(0, -1));
    expect(r.version()).toBe(1); // the old list serves until the last chunk
    await r.sync.chunk(doc.chunks[0] as ListChunk);
    expect(r.version()).toBe(2);
    expect(r.accepts("CODE-0039")).toBe(true);
  });

  it("a delta on the list in force is applied; on another base or after a gap it asks for a resync", async () => {
    const r = rig();
    const head = r.f.store.listHead();
    if (!head) throw new Error("no list");
    const good = r.delta(2, head, "NEW-0001");
    await r.sync.manifest(good.manifest);
    await feed(r.sync, good.chunks);
    expect(r.version()).toBe(2);
    expect(r.accepts("NEW-0001")).toBe(true);

    const wrongBase = r.delta(3, { version: 1, documentHash: head.documentHash }, "NEW-0002");
    await r.sync.manifest(wrongBase.manifest);
    const gap = r.delta(9, { version: 8, documentHash: "0".repeat(64) }, "NEW-0003");
    await r.sync.manifest(gap.manifest);
    expect(r.resyncs).toEqual([{ reason: "wrong_base" }, { reason: "version_gap" }]);
    expect(await refusal(feed(r.sync, wrongBase.chunks))).toBe("foreign_chunk");
    expect(r.version()).toBe(2);
    expect(r.accepts("NEW-0002")).toBe(false);
  });

  it("missing chunks are asked for by index after the timeout, then the list completes", async () => {
    const r = rig();
    const doc = r.snapshot(2, 40);
    await r.sync.manifest(doc.manifest);
    await feed(
      r.sync,
      doc.chunks.filter((c) => c.index !== 1 && c.index !== 3),
    );
    await new Promise((res) => setTimeout(res, 80));
    expect(r.wants[0]).toEqual({ version: 2, envelope: doc.manifest.envelope.sha256, chunks: [1, 3] });
    await feed(
      r.sync,
      doc.chunks.filter((c) => c.index === 1 || c.index === 3),
    );
    expect(r.version()).toBe(2);
    r.sync.stop();
  });

  it("an altered chunk is refused and changes nothing; the genuine one still completes the list", async () => {
    const r = rig();
    const before = listCacheSnapshot(r.f.dir);
    const doc = r.snapshot(2, 40);
    await r.sync.manifest(doc.manifest);
    const genuine = doc.chunks[2] as ListChunk;
    const bytes = Buffer.from(genuine.data, "base64");
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(await refusal(r.sync.chunk({ ...genuine, data: bytes.toString("base64") }))).toBe("altered_chunk");
    await feed(
      r.sync,
      doc.chunks.filter((c) => c.index !== 2),
    );
    expect(r.version()).toBe(1);
    expect(listCacheSnapshot(r.f.dir)).toEqual(before);
    await r.sync.chunk(genuine);
    expect(r.version()).toBe(2);
    r.sync.stop();
  });

  it("a newer manifest mid-assembly supersedes the one under way; an older one arriving then is ignored", async () => {
    const r = rig();
    const v2 = r.snapshot(2, 40);
    const v3 = r.snapshot(3, 41);
    await r.sync.manifest(v2.manifest);
    await feed(r.sync, v2.chunks.slice(0, 2));
    await r.sync.manifest(v3.manifest);
    // v2's chunks no longer belong to the list awaited; a late v2 manifest does not restart it.
    expect(await refusal(r.sync.chunk(v2.chunks[2] as ListChunk))).toBe("foreign_chunk");
    await r.sync.manifest(v2.manifest);
    await feed(r.sync, v3.chunks);
    expect(r.version()).toBe(3);
    expect(r.accepts("CODE-0040")).toBe(true);
  });

  it("replays of the version in force or an older one, and other merchants' manifests, change nothing", async () => {
    const r = rig();
    const v2 = r.snapshot(2, 40);
    await r.sync.manifest(v2.manifest);
    await feed(r.sync, v2.chunks);
    expect(r.version()).toBe(2);
    // The retained manifest of the list in force, delivered again: nothing to do, nothing refused.
    expect(await refusal(r.sync.manifest(v2.manifest))).toBe("accepted");
    const old = r.snapshot(1, 5);
    expect(await refusal(r.sync.manifest(old.manifest))).toBe("stale_version");
    expect(await refusal(feed(r.sync, old.chunks))).toBe("foreign_chunk");
    const other = { ...r.snapshot(4, 5).manifest, merchant: "m-other" };
    expect(await refusal(r.sync.manifest(other))).toBe("wrong_merchant");
    expect(r.version()).toBe(2);
  });

  it("a manifest signed with another key never gets past the signature check (the channel's openManifest)", () => {
    const r = rig();
    const forger = generateMerchantKeys();
    const forged = r.snapshot(5, 5, forger.privateKeyPem);
    const pinned = { merchant: "m-test", store: "S1", publicKey: r.f.keys.publicKey };
    expect(() => openManifest(forged.signedManifest, pinned, r.f.store.listHead())).toThrow(AssemblyError);
    expect(openManifest(r.snapshot(5, 5).signedManifest, pinned, r.f.store.listHead()).manifest.version).toBe(
      5,
    );
  });
});
