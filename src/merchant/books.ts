import { createHash } from "node:crypto";
import type { JournalEntry } from "../protocol/journal/index.js";
import {
  type Address,
  type Conflict,
  type Health,
  openTravellingRecord,
  RecordError,
  type Status,
  type TravellingRecord,
} from "../protocol/mqtt/index.js";
import type { ConflictRow, MerchantRecord, TerminalRow } from "./record/merchant-record.js";

/*
 * The merchant's books, message-driven: what arrives from the terminals goes in, the messages to
 * send come out, and nothing is sent before the transaction that holds it has committed. This is
 * where "nothing lost, nothing twice" is kept on the merchant's side: records are stored by their
 * fleet-unique id (a re-delivery is acknowledged again, never counted twice), each terminal's
 * chain is checked as records arrive (a journal rewritten on the terminal shows up here), a code
 * redeemed beyond its uses by tills that could not see each other is kept AND flagged, and every
 * accepted record is forwarded to the store's other tills.
 */

export type TerminalAddress = Extract<Address, { scope: "terminal" }>;

/** A message to publish once the batch is committed. */
export type Outgoing =
  | {
      name: "ack";
      address: TerminalAddress;
      payload: {
        format: "quan.ack/1";
        terminal: string;
        ids?: string[];
        through?: { seq: number; hash: string };
      };
    }
  | { name: "storeAccepted"; address: Extract<Address, { scope: "store" }>; payload: AcceptedPayload }
  | { name: "merchantAccepted"; address: Extract<Address, { scope: "merchant" }>; payload: AcceptedPayload }
  | { name: "conflict"; address: TerminalAddress; payload: Conflict };

interface AcceptedPayload {
  format: "quan.accepted/1";
  acceptedAt: string;
  seq: number;
  entry: JournalEntry;
}

export interface IncomingRecord {
  address: TerminalAddress;
  payload: TravellingRecord;
}

export interface BooksCounters {
  records: number;
  duplicates: number;
  refused: Record<string, number>;
  tampers: number;
  conflicts: number;
}

const MAX_IDS_PER_ACK = 1000;

export class MerchantBooks {
  readonly counters: BooksCounters = { records: 0, duplicates: 0, refused: {}, tampers: 0, conflicts: 0 };

  constructor(
    readonly record: MerchantRecord,
    private readonly merchant: string,
    private readonly now: () => number,
  ) {}

  /** Takes a batch of records in one transaction; returns what to publish after the commit. */
  receiveRecords(batch: IncomingRecord[]): Outgoing[] {
    return this.record.transaction(() => {
      const out: Outgoing[] = [];
      const ackIds = new Map<string, { address: TerminalAddress; ids: string[] }>();
      const touched = new Map<string, TerminalAddress>();
      for (const item of batch) {
        const verdict = this.receiveOne(item, out);
        if (verdict === "refused") continue;
        const key = item.address.terminal;
        touched.set(key, item.address);
        if (verdict === "stored" || verdict === "duplicate") {
          const entry = ackIds.get(key) ?? { address: item.address, ids: [] };
          entry.ids.push(item.payload.id);
          ackIds.set(key, entry);
        }
      }
      for (const [terminal, address] of touched) {
        const row = this.advanceChain(terminal, address.store);
        const ids = ackIds.get(terminal)?.ids ?? [];
        for (let i = 0; i < Math.max(ids.length, 1); i += MAX_IDS_PER_ACK) {
          const slice = ids.slice(i, i + MAX_IDS_PER_ACK);
          const through =
            i === 0 && row.chainSeq > 0 ? { seq: row.chainSeq, hash: row.chainHash } : undefined;
          if (slice.length === 0 && !through) continue;
          out.unshift({
            name: "ack",
            address,
            payload: {
              format: "quan.ack/1",
              terminal,
              ...(slice.length > 0 ? { ids: slice } : {}),
              ...(through ? { through } : {}),
            },
          });
        }
      }
      return out;
    });
  }

  private receiveOne(item: IncomingRecord, out: Outgoing[]): "stored" | "duplicate" | "refused" {
    const { address, payload } = item;
    let opened: ReturnType<typeof openTravellingRecord>;
    try {
      opened = openTravellingRecord(payload, { store: address.store, terminal: address.terminal });
    } catch (err) {
      if (err instanceof RecordError) {
        this.refuse(err.problem);
        return "refused";
      }
      throw err;
    }
    const at = new Date(this.now()).toISOString();
    const existing = this.record.recordById(payload.id);
    if (existing) {
      if (existing.hash === payload.hash) {
        this.counters.duplicates += 1;
        return "duplicate";
      }
      this.tamper(
        address.terminal,
        payload,
        "same_id_other_hash",
        `record ${payload.id} arrived again with other content`,
        at,
      );
      return "refused";
    }
    const sameSeq = this.record.recordAt(address.terminal, payload.seq);
    if (sameSeq) {
      this.tamper(
        address.terminal,
        payload,
        "same_seq_other_record",
        `seq ${payload.seq} is ${sameSeq.id} here and ${payload.id} now: the terminal's journal was rewritten`,
        at,
      );
      return "refused";
    }
    const before = payload.seq > 1 ? this.record.recordAt(address.terminal, payload.seq - 1) : undefined;
    if (before && before.hash !== payload.prev)
      this.tamper(
        address.terminal,
        payload,
        "chain_broken",
        `seq ${payload.seq} does not follow the record before it`,
        at,
      );
    const after = this.record.recordAt(address.terminal, payload.seq + 1);
    if (after && after.prev !== payload.hash)
      this.tamper(
        address.terminal,
        payload,
        "chain_broken",
        `seq ${payload.seq + 1} does not follow seq ${payload.seq}`,
        at,
      );
    const { seq: _s, prev: _p, ...entry } = opened;
    const journalEntry = entry as JournalEntry;
    this.record.insertRecord({
      id: payload.id,
      terminal: address.terminal,
      store: address.store,
      seq: payload.seq,
      prev: payload.prev,
      hash: payload.hash,
      json: payload.record,
      entry: journalEntry,
      receivedAt: at,
    });
    this.counters.records += 1;
    this.broadcast(address, payload.seq, journalEntry, at, out);
    if (journalEntry.type === "redeem")
      for (const line of journalEntry.lines) this.checkUses(line.code, at, out);
    else {
      this.record.markVoided(journalEntry.target);
      for (const code of this.record.codesOf(journalEntry.target)) this.checkUses(code, at, out);
    }
    return "stored";
  }

  private broadcast(
    address: TerminalAddress,
    seq: number,
    entry: JournalEntry,
    at: string,
    out: Outgoing[],
  ): void {
    const payload: AcceptedPayload = { format: "quan.accepted/1", acceptedAt: at, seq, entry };
    out.push({
      name: "storeAccepted",
      address: { scope: "store", merchant: this.merchant, store: address.store },
      payload,
    });
    const campaigns =
      entry.type === "redeem"
        ? entry.lines.map((l) => l.campaign)
        : this.record.usesOf(this.record.codesOf(entry.target)[0] ?? "").map((u) => u.campaign);
    if (campaigns.some((c) => this.record.campaignSpansStores(c)))
      out.push({
        name: "merchantAccepted",
        address: { scope: "merchant", merchant: this.merchant },
        payload,
      });
  }

  /** Flags (or resolves) a conflict when a code's redemptions that stand exceed its uses. */
  private checkUses(code: string, at: string, out: Outgoing[]): void {
    const uses = this.record.usesOf(code);
    const standing = uses.filter((u) => !u.voided);
    const allowed = this.record.knownCode(code)?.uses ?? 1;
    const open = this.record.openConflictOf(code);
    let conflict: ConflictRow | undefined;
    if (standing.length > allowed) {
      conflict = {
        id: open?.id ?? conflictId(code, standing[0]?.id ?? ""),
        code,
        campaign: standing[0]?.campaign ?? "",
        uses: allowed,
        state: "open",
        detectedAt: open?.detectedAt ?? at,
        redemptions: standing.map((u) => ({ id: u.id, terminal: u.terminal, store: u.store, at: u.at })),
      };
      if (!open) this.counters.conflicts += 1;
    } else if (open) {
      conflict = { ...open, state: "resolved" };
    }
    if (!conflict) return;
    this.record.saveConflict(conflict);
    const involved = new Map<string, TerminalAddress>();
    for (const r of [...(open?.redemptions ?? []), ...conflict.redemptions])
      involved.set(r.terminal, {
        scope: "terminal",
        merchant: this.merchant,
        store: r.store,
        terminal: r.terminal,
      });
    for (const address of involved.values())
      out.push({
        name: "conflict",
        address,
        payload: {
          format: "quan.conflict/1",
          conflict: conflict.id,
          state: conflict.state,
          detectedAt: conflict.detectedAt,
          code: conflict.code,
          campaign: conflict.campaign,
          uses: conflict.uses,
          redemptions: (conflict.redemptions.length >= 2
            ? conflict.redemptions
            : (open?.redemptions ?? [])
          ).slice(0, 100),
        },
      });
  }

  private advanceChain(terminal: string, store: string): TerminalRow {
    const row = this.record.terminal(terminal) ?? {
      terminal,
      store,
      state: "unknown" as const,
      bdSeq: 0,
      since: null,
      lastSeen: null,
      health: null,
      chainSeq: 0,
      chainHash: "0".repeat(64),
    };
    let next = this.record.recordAt(terminal, row.chainSeq + 1);
    while (next) {
      row.chainSeq += 1;
      row.chainHash = next.hash;
      next = this.record.recordAt(terminal, row.chainSeq + 1);
    }
    row.lastSeen = new Date(this.now()).toISOString();
    this.record.saveTerminal(row);
    return row;
  }

  /** Birth and death: a status with a lower bdSeq than one seen is stale (a late will) and ignored. */
  receiveStatus(address: TerminalAddress, status: Status): "applied" | "stale" {
    return this.record.transaction(() => {
      const row = this.record.terminal(address.terminal);
      if (row && status.bdSeq < row.bdSeq) return "stale";
      if (row && status.bdSeq === row.bdSeq && row.state === "offline" && status.state === "online")
        return "stale";
      this.record.saveTerminal({
        ...(row ?? emptyTerminal(address)),
        store: address.store,
        state: status.state,
        bdSeq: status.bdSeq,
        since: status.since,
        lastSeen: new Date(this.now()).toISOString(),
      });
      return "applied";
    });
  }

  receiveHealth(address: TerminalAddress, health: Health): void {
    this.record.transaction(() => {
      const row = this.record.terminal(address.terminal) ?? emptyTerminal(address);
      this.record.saveTerminal({
        ...row,
        health: JSON.stringify(health),
        lastSeen: new Date(this.now()).toISOString(),
      });
    });
  }

  private tamper(
    terminal: string,
    p: TravellingRecord,
    problem: "same_id_other_hash" | "same_seq_other_record" | "chain_broken",
    detail: string,
    at: string,
  ): void {
    this.counters.tampers += 1;
    this.record.addTamper({ terminal, seq: p.seq, id: p.id, problem, detail, at });
  }

  private refuse(problem: string): void {
    this.counters.refused[problem] = (this.counters.refused[problem] ?? 0) + 1;
  }
}

function emptyTerminal(address: TerminalAddress): TerminalRow {
  return {
    terminal: address.terminal,
    store: address.store,
    state: "unknown",
    bdSeq: 0,
    since: null,
    lastSeen: null,
    health: null,
    chainSeq: 0,
    chainHash: "0".repeat(64),
  };
}

function conflictId(code: string, firstRedemption: string): string {
  return `c${createHash("sha256").update(`${code}\n${firstRedemption}`).digest("hex").slice(0, 31)}`;
}
