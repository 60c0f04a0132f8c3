import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CouponCode } from "../../../../src/protocol/coupon-list/index.js";
import { CouponListError } from "../../../../src/protocol/coupon-list/index.js";
import { ListDeltaError } from "../../../../src/runtime/engine/list-overlay.js";
import { silentLogger } from "../../../../src/runtime/log.js";
import {
  ListCache,
  OVERLAY_FILE,
  TABLE_FILE,
  verifyListCache,
} from "../../../../src/runtime/store/list-cache/list-cache.js";
import { deltaDoc, KEYS, listDoc, OTHER_KEYS, PINNED, signed, tempDir } from "./list-fixtures.js";

const log = silentLogger();
const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const MEMBER = "b".repeat(64);

const baseCodes = [
  { code: "PCT-0001", campaign: "pct" },
  { code: "PCT-0002", campaign: "pct", uses: 3 },
  { code: "CASH-001", campaign: "cash", member: MEMBER },
];

function imported(codes = baseCodes) {
  const dir = tempDir();
  const doc = listDoc(1, codes);
  expect(ListCache.importList(dir, signed(doc), PINNED, null)).toEqual({
    status: "imported",
    version: 1,
    codes: codes.length,
  });
  const cache = ListCache.open(dir, PINNED, log);
  if (!cache) throw new Error("no cache");
  return { dir, doc, cache };
}

describe("importing a signed full list into the cache", () => {
  it("answers every code as the list says, after a reopen, from the packed table", () => {
    const { cache, doc } = imported();
    expect(cache.head).toEqual({ version: 1, documentHash: sha(doc) });
    expect(cache.codes.get("PCT-0002")).toEqual({ code: "PCT-0002", campaign: "pct", uses: 3 });
    expect(cache.codes.get("CASH-001")).toEqual({
      code: "CASH-001",
      campaign: "cash",
      uses: 1,
      member: MEMBER,
    });
    expect(cache.codes.get("PCT-0003")).toBeUndefined();
    const index = cache.index();
    expect(index.campaigns.get("pct")?.basisPoints).toBe(2000);
    expect(index.campaigns.get("pct")?.name).toEqual({ zh: "全场八折", en: "20% off" });
    expect(index.codes.size).toBe(3);
  });

  it("keeps the exact signed document beside the table, and verifyListCache accepts it", () => {
    const { dir, doc } = imported();
    expect(readFileSync(join(dir, `doc-${sha(doc)}.json`), "utf8")).toBe(doc);
    expect(verifyListCache(dir, PINNED, log)).toEqual([]);
  });

  it("refuses a forged list, one for another merchant, and an older version, changing nothing", () => {
    const { dir, cache } = imported();
    const before = readFileSync(join(dir, TABLE_FILE));
    const problem = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        if (err instanceof CouponListError) return err.problem;
        throw err;
      }
      return "accepted";
    };
    expect(
      problem(() =>
        ListCache.importList(dir, signed(listDoc(2, []), OTHER_KEYS.privateKeyPem), PINNED, cache.head),
      ),
    ).toBe("bad_signature");
    expect(
      problem(() =>
        ListCache.importList(dir, signed(listDoc(2, [], { merchant: "m-evil" })), PINNED, cache.head),
      ),
    ).toBe("wrong_merchant");
    expect(problem(() => ListCache.importList(dir, signed(listDoc(1, [])), PINNED, cache.head))).toBe(
      "stale_version",
    );
    expect(
      problem(() =>
        ListCache.importList(dir, signed(listDoc(2, [{ code: "X1", campaign: "pct" }])), PINNED, cache.head),
      ),
    ).toBe("invalid_document");
    expect(
      problem(() =>
        ListCache.importList(
          dir,
          signed(listDoc(2, [{ code: "BAD-1", campaign: "none" }])),
          PINNED,
          cache.head,
        ),
      ),
    ).toBe("invalid_document");
    expect(
      problem(() =>
        ListCache.importList(
          dir,
          signed(
            listDoc(2, [
              { code: "DUP-1", campaign: "pct" },
              { code: "DUP-1", campaign: "cash" },
            ]),
          ),
          PINNED,
          cache.head,
        ),
      ),
    ).toBe("invalid_document");
    expect(readFileSync(join(dir, TABLE_FILE)).equals(before)).toBe(true);
    expect(ListCache.importList(dir, signed(listDoc(1, baseCodes)), PINNED, cache.head).status).toBe(
      "unchanged",
    );
  });

  it("names the codes that are wrong", () => {
    const dir = tempDir();
    expect(() =>
      ListCache.importList(
        dir,
        signed(
          listDoc(1, [
            { code: "OK-0001", campaign: "pct" },
            { code: "no", campaign: "pct" },
          ]),
        ),
        PINNED,
        null,
      ),
    ).toThrow(/codes\[1\]\.code: 4-64 characters/);
    expect(existsSync(join(dir, TABLE_FILE))).toBe(false);
  });
});

describe("deltas: version N+1 on top of N", () => {
  function delta1(baseHash: string) {
    return deltaDoc({
      version: 2,
      baseVersion: 1,
      baseDocumentHash: baseHash,
      campaigns: { upsert: [{ id: "gift", name: "Free drink", kind: "gift", gift: "Lemon tea" }] },
      codes: {
        upsert: [
          { code: "GIFT-001", campaign: "gift" },
          { code: "PCT-0002", campaign: "cash", uses: 5 },
        ],
        remove: ["PCT-0001"],
      },
      revoked: { add: { codes: ["CASH-001"] } },
    });
  }

  it("applies a delta, persists it, and a reopen answers the same", () => {
    const { dir, doc, cache } = imported();
    const d = delta1(sha(doc));
    expect(cache.applyDelta(signed(d))).toEqual({ status: "applied", version: 2 });
    for (const c of [cache, ListCache.open(dir, PINNED, log) as ListCache]) {
      expect(c.head).toEqual({ version: 2, documentHash: sha(d) });
      expect(c.codes.get("PCT-0001")).toBeUndefined();
      expect(c.codes.get("PCT-0002")).toEqual({ code: "PCT-0002", campaign: "cash", uses: 5 });
      expect(c.codes.get("GIFT-001")).toEqual({ code: "GIFT-001", campaign: "gift", uses: 1 });
      expect(c.codes.size).toBe(3);
      expect(c.index().revokedCodes.has("CASH-001")).toBe(true);
      expect(c.shell.campaigns.map((x) => x.id)).toEqual(["pct", "cash", "gift"]);
    }
  });

  it("ignores a replayed or older delta, and refuses one on the wrong base or forged", () => {
    const { dir, doc, cache } = imported();
    const d2 = delta1(sha(doc));
    cache.applyDelta(signed(d2));
    const overlay = readFileSync(join(dir, OVERLAY_FILE));
    expect(cache.applyDelta(signed(d2)).status).toBe("unchanged");
    const older = deltaDoc({
      version: 2,
      baseVersion: 1,
      baseDocumentHash: sha(doc),
      codes: { remove: ["PCT-0002"] },
    });
    expect(cache.applyDelta(signed(older)).status).toBe("stale");
    const wrongBase = deltaDoc({
      version: 3,
      baseVersion: 2,
      baseDocumentHash: sha(doc),
      codes: { remove: ["GIFT-001"] },
    });
    expect(() => cache.applyDelta(signed(wrongBase))).toThrow(ListDeltaError);
    expect(() => cache.applyDelta(signed(wrongBase))).toThrow(/a full list is needed/);
    const good3 = deltaDoc({
      version: 3,
      baseVersion: 2,
      baseDocumentHash: sha(d2),
      codes: { remove: ["GIFT-001"] },
    });
    expect(() => cache.applyDelta(signed(good3, OTHER_KEYS.privateKeyPem))).toThrow(
      /signature does not match/,
    );
    const removesMissing = deltaDoc({
      version: 3,
      baseVersion: 2,
      baseDocumentHash: sha(d2),
      codes: { remove: ["NOPE-001"] },
    });
    expect(() => cache.applyDelta(signed(removesMissing))).toThrow(/"NOPE-001" to remove is not in the list/);
    const campaignInUse = deltaDoc({
      version: 3,
      baseVersion: 2,
      baseDocumentHash: sha(d2),
      campaigns: { remove: ["cash"] },
    });
    expect(() => cache.applyDelta(signed(campaignInUse))).toThrow(/campaign "cash" is removed but code/);
    expect(readFileSync(join(dir, OVERLAY_FILE)).equals(overlay)).toBe(true);
    expect(cache.head.version).toBe(2);
    expect(cache.codes.has("GIFT-001")).toBe(true);
    expect(cache.applyDelta(signed(good3)).status).toBe("applied");
    expect(cache.codes.has("GIFT-001")).toBe(false);
  });

  it("an overlay whose delta was altered on disk stops the open", () => {
    const { dir, doc, cache } = imported();
    cache.applyDelta(signed(delta1(sha(doc))));
    const path = join(dir, OVERLAY_FILE);
    writeFileSync(path, readFileSync(path, "utf8").replace("GIFT-001", "GIFT-999"));
    expect(() => ListCache.open(dir, PINNED, log)).toThrow(/signature does not verify/);
  });

  it("compaction folds the overlay into a new table that still re-verifies against the signatures", () => {
    const { dir, doc, cache } = imported();
    const d2 = delta1(sha(doc));
    cache.applyDelta(signed(d2));
    const compacted = cache.compact(log);
    expect(compacted.overlaySize).toBe(0);
    expect(compacted.head).toEqual({ version: 2, documentHash: sha(d2) });
    expect(compacted.codes.get("PCT-0002")).toEqual({ code: "PCT-0002", campaign: "cash", uses: 5 });
    expect(compacted.codes.get("PCT-0001")).toBeUndefined();
    expect(
      readdirSync(dir)
        .filter((n) => n.startsWith("doc-"))
        .sort(),
    ).toEqual([`doc-${sha(d2)}.json`, `doc-${sha(doc)}.json`].sort());
    expect(verifyListCache(dir, PINNED, log)).toEqual([]);
    const d3 = deltaDoc({
      version: 3,
      baseVersion: 2,
      baseDocumentHash: sha(d2),
      codes: { upsert: [{ code: "NEW-0003", campaign: "pct" }] },
    });
    expect(compacted.applyDelta(signed(d3)).status).toBe("applied");
    expect(compacted.codes.get("NEW-0003")?.campaign).toBe("pct");
  });

  it("verifyListCache finds a table rebuilt by someone without the merchant key", () => {
    const { dir } = imported();
    // An attacker with write access imports their own list under their own key: a valid table.
    const forgedDir = tempDir();
    const forgedDoc = listDoc(1, [...baseCodes, { code: "FREE-FOR-ALL", campaign: "cash" }]);
    ListCache.importList(
      forgedDir,
      signed(forgedDoc, OTHER_KEYS.privateKeyPem),
      { ...PINNED, publicKey: OTHER_KEYS.publicKey },
      null,
    );
    writeFileSync(join(dir, TABLE_FILE), readFileSync(join(forgedDir, TABLE_FILE)));
    writeFileSync(join(dir, `doc-${sha(forgedDoc)}.json`), forgedDoc);
    const cache = ListCache.open(dir, PINNED, log);
    expect(cache?.codes.has("FREE-FOR-ALL")).toBe(true); // the start-up check is integrity only
    expect(verifyListCache(dir, PINNED, log).join("\n")).toMatch(/signature does not verify/);
    expect(KEYS.publicKey).not.toBe(OTHER_KEYS.publicKey);
  });
});

describe("base + overlay equals the full list of the same version built from scratch", () => {
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it.each([1, 2, 3, 4, 5])("random edits, seed %i", (seed) => {
    const r = rng(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)] as T;
    const campaigns = ["pct", "cash"];
    let current = new Map<string, CouponCode>();
    for (let i = 0; i < 300; i++) {
      const code = `C${Math.floor(r() * 1e6)
        .toString(36)
        .padStart(5, "0")}`;
      current.set(code, { code, campaign: pick(campaigns), uses: 1 + Math.floor(r() * 3) });
    }
    const dir = tempDir();
    let doc = listDoc(1, [...current.values()]);
    ListCache.importList(dir, signed(doc), PINNED, null);
    let cache = ListCache.open(dir, PINNED, log) as ListCache;
    let version = 1;
    for (let step = 0; step < 4; step++) {
      const next = new Map(current);
      for (let k = 0; k < 40; k++) {
        const existing = [...next.keys()];
        const roll = r();
        if (roll < 0.3 && existing.length) next.delete(pick(existing));
        else {
          const code =
            roll < 0.6 && existing.length ? pick(existing) : `N${step}${k}${Math.floor(r() * 1e4)}`;
          const entry: CouponCode = { code, campaign: pick(campaigns), uses: 1 + Math.floor(r() * 40000) };
          if (r() < 0.2) entry.member = MEMBER;
          next.set(code, entry);
        }
      }
      const upsert = [...next.values()].filter(
        (e) => JSON.stringify(e) !== JSON.stringify(current.get(e.code)),
      );
      const remove = [...current.keys()].filter((c) => !next.has(c));
      const d = deltaDoc({
        version: version + 1,
        baseVersion: version,
        baseDocumentHash: sha(doc),
        codes: { upsert, remove },
      });
      expect(cache.applyDelta(signed(d)).status).toBe("applied");
      version++;
      doc = d;
      current = next;
      if (step === 1) cache = cache.compact(log);
    }
    const fresh = tempDir();
    ListCache.importList(fresh, signed(listDoc(version, [...current.values()])), PINNED, null);
    const scratch = ListCache.open(fresh, PINNED, log) as ListCache;
    const reopened = ListCache.open(dir, PINNED, log) as ListCache;
    const probes = new Set([...current.keys(), "C0000", "ZZZZZZ", "N", ""]);
    for (const c of [cache, reopened]) {
      expect(c.codes.size).toBe(scratch.codes.size);
      for (const p of probes) expect(c.codes.get(p), p).toEqual(scratch.codes.get(p));
    }
    expect(verifyListCache(dir, PINNED, log)).toEqual([]);
  });
});

describe("a compaction prepared off the hot path and committed later", () => {
  const add = (version: number, base: string, c: string) =>
    deltaDoc({
      version,
      baseVersion: version - 1,
      baseDocumentHash: base,
      codes: { upsert: [{ code: c, campaign: "cash" }] },
    });

  it("keeps a delta applied between the two steps on top of the new table, and after a restart", () => {
    const { dir, doc, cache } = imported();
    const d2 = add(2, sha(doc), "NEW-0002");
    cache.applyDelta(signed(d2));
    const prepared = cache.prepareCompaction();
    if (!prepared) throw new Error("nothing to compact");
    const d3 = add(3, sha(d2), "NEW-0003");
    expect(cache.applyDelta(signed(d3)).status).toBe("applied");
    const next = cache.commitCompaction(prepared, log);
    expect(next?.overlaySize).toBe(1);
    expect(next?.head).toEqual({ version: 3, documentHash: sha(d3) });
    for (const c of ["NEW-0002", "NEW-0003", "PCT-0002"]) expect(next?.codes.has(c), c).toBe(true);
    const reopened = ListCache.open(dir, PINNED, log);
    expect(reopened?.head.version).toBe(3);
    expect(reopened?.codes.has("NEW-0003")).toBe(true);
    expect(verifyListCache(dir, PINNED, log)).toEqual([]);
  });

  it("a crash after the new table and before its overlay loses no delta applied after the fold", () => {
    const { dir, doc, cache } = imported();
    const d2 = add(2, sha(doc), "NEW-0002");
    cache.applyDelta(signed(d2));
    const prepared = cache.prepareCompaction();
    if (!prepared) throw new Error("nothing to compact");
    const d3 = add(3, sha(d2), "NEW-0003");
    cache.applyDelta(signed(d3));
    const overlayBefore = readFileSync(join(dir, OVERLAY_FILE));
    cache.commitCompaction(prepared, log);
    // As if the power went between the table's rename and the overlay's rewrite.
    writeFileSync(join(dir, OVERLAY_FILE), overlayBefore);
    const reopened = ListCache.open(dir, PINNED, log);
    expect(reopened?.head).toEqual({ version: 3, documentHash: sha(d3) });
    expect(reopened?.codes.has("NEW-0003")).toBe(true);
    expect(reopened?.codes.has("NEW-0002")).toBe(true);
  });

  it("is dropped when a new full list came in meanwhile; the new list serves", () => {
    const { dir, doc, cache } = imported();
    cache.applyDelta(signed(add(2, sha(doc), "NEW-0002")));
    const prepared = cache.prepareCompaction();
    if (!prepared) throw new Error("nothing to compact");
    ListCache.importList(dir, signed(listDoc(5, baseCodes)), PINNED, cache.head);
    const fresh = ListCache.open(dir, PINNED, log);
    expect(fresh?.commitCompaction(prepared, log)).toBeNull();
    expect(existsSync(prepared.stagedTable)).toBe(false);
    expect(ListCache.open(dir, PINNED, log)?.head.version).toBe(5);
  });
});
