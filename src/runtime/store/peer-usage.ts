import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { JournalEntry, RedeemEntry } from "../../protocol/journal/index.js";
import type { LastUse } from "../ledger/last-use.js";
import { applyEntry, type Counter, emptyUsage, type UsageState } from "../ledger/usage.js";
import { fsyncDirectory, writeAll } from "./durable-file.js";

/*
 * What the store's other tills redeemed, as the merchant forwarded it (journal/accepted): kept
 * apart from this till's own journal (it is not this till's sale, and its chain is this till's
 * alone) in DATA/peer-usage.log, one accepted entry per line, appended and fsynced, deduplicated
 * by redemption id. Validation counts it with the till's own usage, so a code used at the next
 * till is refused here as `used`, naming that till and when.
 */

export const PEER_USAGE_FILE = "peer-usage.log";

export type PeerOutcome = "applied" | "duplicate" | "unknown_target";

/** What a void needs of the redemption it restores: its codes, campaigns and member. */
type KeptRedemption = Pick<RedeemEntry, "id" | "lines" | "member" | "at" | "store" | "terminal">;

export class PeerUsage {
  readonly usage: UsageState = emptyUsage();
  private readonly redemptions = new Map<string, KeptRedemption>();
  private readonly voids = new Set<string>();
  private fd: number | null = null;

  private constructor(private readonly path: string) {}

  /** Reads the log; `writable` opens it for appending (the daemon), else it is only read (a dry run). */
  static open(dataDir: string, writable: boolean): PeerUsage {
    const peers = new PeerUsage(join(dataDir, PEER_USAGE_FILE));
    if (existsSync(peers.path)) {
      const lines = readFileSync(peers.path, "utf8").split("\n");
      lines.forEach((line, i) => {
        if (line.length === 0) return;
        let entry: JournalEntry;
        try {
          entry = JSON.parse(line) as JournalEntry;
        } catch (err) {
          // A cut-short last line is an append the power cut interrupted: it was never applied.
          if (i === lines.length - 1) return;
          throw new Error(`${peers.path} line ${i + 1} is damaged (${(err as Error).message})`);
        }
        peers.fold(entry);
      });
    }
    if (writable) {
      const existed = existsSync(peers.path);
      peers.fd = openSync(peers.path, "a");
      if (!existed) fsyncDirectory(dataDir);
    }
    return peers;
  }

  get count(): number {
    return this.redemptions.size;
  }

  /** Applies a redemption or void another till made: on disk first, then counted. */
  apply(entry: JournalEntry): PeerOutcome {
    if (entry.type === "redeem" && this.redemptions.has(entry.id)) return "duplicate";
    if (entry.type === "void") {
      if (this.voids.has(entry.id)) return "duplicate";
      if (!this.redemptions.has(entry.target)) return "unknown_target";
      if (this.usage.redemptions.get(entry.target)?.voided) return "duplicate";
    }
    if (this.fd === null) throw new Error("peer usage opened read-only");
    writeAll(this.fd, Buffer.from(`${JSON.stringify(entry)}\n`, "utf8"));
    fdatasyncSync(this.fd);
    this.fold(entry);
    return "applied";
  }

  private fold(entry: JournalEntry): void {
    if (entry.type === "redeem") {
      if (this.redemptions.has(entry.id)) return;
      const { id, lines, member, at, store, terminal } = entry;
      this.redemptions.set(id, { id, lines, at, store, terminal, ...(member ? { member } : {}) });
    } else {
      if (this.voids.has(entry.id) || !this.redemptions.has(entry.target)) return;
      if (this.usage.redemptions.get(entry.target)?.voided) return;
      this.voids.add(entry.id);
    }
    applyEntry(this.usage, entry, 0, (id) => this.redemptions.get(id) as RedeemEntry | undefined);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * This till's usage and the other tills', read as one (validation only reads): counts add up,
 * a token spent anywhere is spent, the last use is the latest of either.
 */
export function withPeerUsage(own: UsageState, peers: UsageState): UsageState {
  const sum = (a: Counter, b: Counter): Counter => ({
    get(key) {
      const x = a.get(key);
      const y = b.get(key);
      return x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
    },
    set: readOnly,
    delete: readOnly,
  });
  return {
    codeUses: sum(own.codeUses, peers.codeUses),
    campaignUses: sum(own.campaignUses, peers.campaignUses),
    memberUses: sum(own.memberUses, peers.memberUses),
    usedTokens: { has: (key) => own.usedTokens.has(key) || peers.usedTokens.has(key), add: readOnly },
    lastUse: {
      get(code) {
        const mine = own.lastUse.get(code);
        const theirs = peers.lastUse.get(code);
        if (!mine || !theirs) return mine ?? theirs;
        return later(mine, theirs);
      },
      set: readOnly,
      delete: readOnly,
    },
    redemptions: own.redemptions,
  };
}

function later(a: LastUse, b: LastUse): LastUse {
  return Date.parse(b.at) > Date.parse(a.at) ? b : a;
}

function readOnly(): never {
  throw new Error("usage with the other tills' is a read-only view");
}
