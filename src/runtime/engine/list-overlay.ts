import type { Campaign, CouponCode, ListDelta, ListShell } from "../../protocol/coupon-list/index.js";
import type { CodeLookup } from "./code-lookup.js";

/** Which signed document a list state is: its version and the SHA-256 of its signed bytes. */
export interface ListHead {
  version: number;
  documentHash: string;
}

/** What a base table must offer an overlay. */
export interface OverlayBase extends CodeLookup {
  codesOfCampaign(campaignId: string): Iterable<string>;
}

export type DeltaProblem = "wrong_merchant" | "wrong_base" | "invalid_delta";

export class ListDeltaError extends Error {
  override name = "ListDeltaError";
  constructor(
    readonly problem: DeltaProblem,
    message: string,
  ) {
    super(`list update refused: ${message}`);
  }
}

export type DeltaOutcome = "applied" | "unchanged" | "stale";

/**
 * Deltas applied on top of a base code table, in memory: a small map of added, changed (code ->
 * entry) and removed (code -> null) codes consulted before the base, and the list's campaigns and
 * revocations as edited. Applying a delta costs what the delta holds (plus, only when it removes a
 * campaign, one scan of the base's campaign numbers). Pure: the caller verifies signatures and
 * persists.
 */
export class ListOverlay implements CodeLookup {
  private readonly edits = new Map<string, CouponCode | null>();
  private sizeChange = 0;
  private current: ListShell;
  private currentHead: ListHead;

  constructor(
    private readonly base: OverlayBase,
    baseShell: ListShell,
    baseHead: ListHead,
  ) {
    this.current = baseShell;
    this.currentHead = baseHead;
  }

  get head(): ListHead {
    return this.currentHead;
  }

  /** The list as of the head, without its codes. */
  get shell(): ListShell {
    return this.current;
  }

  /** How many codes the overlay holds (for deciding when to compact). */
  get editCount(): number {
    return this.edits.size;
  }

  get size(): number {
    return this.base.size + this.sizeChange;
  }

  get(code: string): CouponCode | undefined {
    const edit = this.edits.get(code);
    if (edit !== undefined) return edit ?? undefined;
    return this.base.get(code);
  }

  has(code: string): boolean {
    const edit = this.edits.get(code);
    if (edit !== undefined) return edit !== null;
    return this.base.has(code);
  }

  /** Codes added or changed since the base. */
  *upserts(): IterableIterator<CouponCode> {
    for (const v of this.edits.values()) if (v) yield v;
  }

  /** Codes the base holds that the head does not, or holds differently. */
  overrides(code: string): boolean {
    return this.edits.has(code);
  }

  /** Checks `delta` against the head, then applies all of it or nothing. */
  apply(delta: ListDelta, documentHash: string): DeltaOutcome {
    const { outcome, commit } = this.prepare(delta, documentHash);
    commit();
    return outcome;
  }

  /**
   * Checks `delta` against the head without changing anything; `commit` then applies it (so a
   * caller can persist the delta in between, and a failed write leaves the overlay as it was).
   */
  prepare(delta: ListDelta, documentHash: string): { outcome: DeltaOutcome; commit: () => void } {
    const nothing = () => {};
    const head = this.currentHead;
    if (delta.merchant !== this.current.merchant)
      throw new ListDeltaError(
        "wrong_merchant",
        `it is for merchant "${delta.merchant}", this list belongs to "${this.current.merchant}"`,
      );
    if (documentHash === head.documentHash) return { outcome: "unchanged", commit: nothing };
    if (delta.version <= head.version) return { outcome: "stale", commit: nothing };
    if (delta.baseVersion !== head.version || delta.baseDocumentHash !== head.documentHash)
      throw new ListDeltaError(
        "wrong_base",
        `it updates version ${delta.baseVersion} (${delta.baseDocumentHash.slice(0, 12)}), this terminal has version ${head.version} (${head.documentHash.slice(0, 12)}); a full list is needed`,
      );

    const campaigns = new Map<string, Campaign>(this.current.campaigns.map((c) => [c.id, c]));
    for (const id of delta.campaigns.remove) {
      if (!campaigns.delete(id))
        throw new ListDeltaError("invalid_delta", `campaign "${id}" to remove is not in the list`);
    }
    for (const c of delta.campaigns.upsert) campaigns.set(c.id, c);
    const codeEdits = new Map<string, CouponCode | null>();
    for (const code of delta.codes.remove) {
      if (!this.has(code))
        throw new ListDeltaError("invalid_delta", `code "${code}" to remove is not in the list`);
      codeEdits.set(code, null);
    }
    for (const c of delta.codes.upsert) {
      if (!campaigns.has(c.campaign))
        throw new ListDeltaError(
          "invalid_delta",
          `code "${c.code}": no campaign "${c.campaign}" in the list`,
        );
      codeEdits.set(c.code, c);
    }
    const removed = new Set(delta.campaigns.remove);
    if (removed.size) this.assertNoCodeOf(removed, codeEdits);

    let sizeChange = 0;
    for (const [code, entry] of codeEdits) sizeChange += (entry ? 1 : 0) - (this.has(code) ? 1 : 0);
    const revokedCodes = new Set(this.current.revoked.codes);
    const revokedCampaigns = new Set(this.current.revoked.campaigns);
    for (const c of delta.revoked.remove.codes) revokedCodes.delete(c);
    for (const c of delta.revoked.remove.campaigns) revokedCampaigns.delete(c);
    for (const c of delta.revoked.add.codes) revokedCodes.add(c);
    for (const c of delta.revoked.add.campaigns) revokedCampaigns.add(c);
    const shell: ListShell = {
      ...this.current,
      version: delta.version,
      issuedAt: delta.issuedAt,
      campaigns: editedInPlace(this.current.campaigns, campaigns),
      revoked: { codes: [...revokedCodes], campaigns: [...revokedCampaigns] },
    };
    const commit = () => {
      for (const [code, entry] of codeEdits) {
        // Removing a code only the overlay held leaves no trace.
        if (entry === null && !this.base.has(code)) this.edits.delete(code);
        else this.edits.set(code, entry);
      }
      this.sizeChange += sizeChange;
      this.current = shell;
      this.currentHead = { version: delta.version, documentHash };
    };
    return { outcome: "applied", commit };
  }

  private assertNoCodeOf(removed: Set<string>, codeEdits: Map<string, CouponCode | null>): void {
    const stillThere = (code: string) => {
      const edit = codeEdits.has(code) ? codeEdits.get(code) : this.get(code);
      return edit !== null && edit !== undefined && removed.has(edit.campaign);
    };
    for (const id of removed) {
      for (const code of this.base.codesOfCampaign(id)) {
        if (stillThere(code))
          throw new ListDeltaError(
            "invalid_delta",
            `campaign "${id}" is removed but code "${code}" still uses it`,
          );
      }
    }
    for (const code of [...this.edits.keys(), ...codeEdits.keys()]) {
      if (stillThere(code))
        throw new ListDeltaError("invalid_delta", `a removed campaign is still used by code "${code}"`);
    }
  }
}

/** Campaigns in their old order, changed ones in place, new ones at the end. */
function editedInPlace(old: readonly Campaign[], edited: Map<string, Campaign>): Campaign[] {
  const out: Campaign[] = [];
  const placed = new Set<string>();
  for (const c of old) {
    const now = edited.get(c.id);
    if (now) {
      out.push(now);
      placed.add(c.id);
    }
  }
  for (const [id, c] of edited) if (!placed.has(id)) out.push(c);
  return out;
}
