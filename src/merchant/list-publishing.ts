import { createHash } from "node:crypto";
import {
  type CouponListInput,
  couponListSchema,
  type ListDeltaInput,
} from "../protocol/coupon-list/index.js";
import { signDocument } from "../protocol/envelope/index.js";
import { type ChunkedDocument, chunkDocument, type ListManifest } from "../protocol/mqtt/index.js";
import type { KnownCode, MerchantRecord, PublishedList } from "./record/merchant-record.js";

/*
 * What `quan merchant publish` does before anything touches the network: signs the list with the
 * merchant key (as a full snapshot, or as a delta computed against the last list published for
 * the same store), splits the signed envelope into chunks under a signed manifest, and records it
 * (so `list/want` and `list/resync` can be answered later, and conflicts judged by each code's uses).
 */

export class PublishError extends Error {
  override name = "PublishError";
}

export interface PreparedPublication {
  list: PublishedList;
  chunked: ChunkedDocument;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

export function preparePublication(
  record: MerchantRecord,
  input: unknown,
  opts: { merchant: string; store: string | null; delta: boolean; privateKeyPem: string; now: number },
): PreparedPublication {
  const parsed = couponListSchema.safeParse(input);
  if (!parsed.success)
    throw new PublishError(
      `the list is not a valid coupon list: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  const list = parsed.data;
  if (list.merchant !== opts.merchant)
    throw new PublishError(`the list is for merchant "${list.merchant}", this service is "${opts.merchant}"`);
  const previous = record.latestList(opts.store);
  if (previous && list.version <= previous.version)
    throw new PublishError(
      `version ${list.version} is not newer than version ${previous.version} already published`,
    );
  let document = JSON.stringify(input);
  let kind: "snapshot" | "delta" = "snapshot";
  let base: ListManifest["base"];
  if (opts.delta) {
    if (!previous) throw new PublishError("--delta: nothing published before to compute it against");
    const before = JSON.parse(previous.full) as CouponListInput;
    document = JSON.stringify(
      diffLists(before, input as CouponListInput, previous, new Date(opts.now).toISOString()),
    );
    kind = "delta";
    base = { version: previous.version, documentHash: sha256(previous.document) };
  }
  const envelope = Buffer.from(JSON.stringify(signDocument(document, opts.privateKeyPem)), "utf8");
  const chunked = chunkDocument(
    envelope,
    {
      merchant: opts.merchant,
      ...(opts.store ? { store: opts.store } : {}),
      kind,
      version: list.version,
      ...(base ? { base } : {}),
      issuedAt: new Date(opts.now).toISOString(),
    },
    opts.privateKeyPem,
  );
  const published: PublishedList = {
    version: list.version,
    store: opts.store,
    kind,
    base: base ?? null,
    document,
    full: JSON.stringify(input),
    envelope,
    chunkBytes: chunked.manifest.chunkBytes,
    publishedAt: new Date(opts.now).toISOString(),
  };
  return { list: published, chunked };
}

/** Records what a publication says of codes (their uses) and campaigns (caps across stores). */
export function rememberList(record: MerchantRecord, p: PreparedPublication, input: unknown): void {
  const list = couponListSchema.parse(input);
  const codes: KnownCode[] = list.codes.map((c) => ({
    code: c.code,
    campaign: c.campaign,
    uses: c.uses ?? 1,
  }));
  const capped = list.campaigns
    .filter((c) => c.maxUses !== undefined || c.perMember !== undefined)
    .map((c) => c.id);
  record.transaction(() => {
    record.savePublishedList(p.list);
    record.saveKnownCodes(codes, capped);
  });
}

/** Version N+1 as edits on top of version N: what changed, what is new, what is gone. */
export function diffLists(
  before: CouponListInput,
  after: CouponListInput,
  base: PublishedList,
  issuedAt: string,
): ListDeltaInput {
  const byId = <T>(items: T[], key: (t: T) => string) => new Map(items.map((i) => [key(i), i]));
  const campaignsBefore = byId(before.campaigns, (c) => c.id);
  const campaignsAfter = byId(after.campaigns, (c) => c.id);
  const codesBefore = byId(before.codes, (c) => c.code);
  const codesAfter = byId(after.codes, (c) => c.code);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    format: "quan.coupons-delta/1",
    merchant: after.merchant,
    version: after.version,
    baseVersion: base.version,
    baseDocumentHash: sha256(base.document),
    issuedAt,
    campaigns: {
      upsert: [...campaignsAfter.values()].filter((c) => !same(c, campaignsBefore.get(c.id))),
      remove: [...campaignsBefore.keys()].filter((id) => !campaignsAfter.has(id)),
    },
    codes: {
      upsert: [...codesAfter.values()].filter((c) => !same(c, codesBefore.get(c.code))),
      remove: [...codesBefore.keys()].filter((code) => !codesAfter.has(code)),
    },
  };
}
