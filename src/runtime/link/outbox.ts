import type { Ack } from "../../protocol/mqtt/index.js";
import { travellingRecord } from "../../protocol/mqtt/index.js";
import type { TravellingRecord } from "../../protocol/mqtt/payloads/journal.js";
import type { Logger } from "../log.js";
import { type JournalLine, readJournalLines } from "./journal-reader.js";
import type { LinkState } from "./link-state.js";

/*
 * The journal is the outbox. Records after the acked cursor are read from disk in journal order and
 * published, at most `window` awaiting the merchant's ack at a time; the cursor moves over the
 * acked prefix only, and only on the merchant's ack (sent after its own commit). A reconnect or a
 * restart starts again from the cursor: the merchant de-duplicates by id, so a re-sent record
 * costs nothing and a lost one cannot happen. Records `quan redeem` wrote while the daemon was
 * down are in the journal, so they go too.
 */

export interface OutboxOptions {
  dataDir: string;
  state: LinkState;
  /** The journal's newest record (seq and hash). */
  head: () => { seq: number; hash: string };
  /** Publishes one record; resolves on the broker's PUBACK (not the merchant's ack). */
  send: (record: TravellingRecord) => Promise<void>;
  /** Records awaiting the merchant's ack at most. */
  window: number;
  /**
   * Sent records without an ack for this long are sent again: a PUBACK is only the broker's word,
   * and brokers drop (a subscriber not yet subscribed, a full queue: field notes §3).
   */
  resendAfterMs?: number;
  log: Logger;
  /** Called when the unsent count or the oldest unsent record changes. */
  onChange?: () => void;
}

const RETRY_MS = 1000;
const DEFAULT_RESEND_MS = 5000;

export type AckProblem = "unknown_ack" | "ack_hash_mismatch";

export class Outbox {
  private online = false;
  /** Sent (or being sent) and not yet acked, in seq order. */
  private inFlight: JournalLine[] = [];
  private readonly ackedIds = new Set<string>();
  /** The connection (generation) whose pump is running, -1 when none. */
  private pumping = -1;
  /** Counts connections: what a pump of an earlier one finds out is stale. */
  private generation = 0;
  private again = false;
  private oldestUnsent: number | null = null;
  private lastProgress = Date.now();
  private resendTimer: NodeJS.Timeout | null = null;
  /** Records sent again because no ack came (health). */
  resent = 0;
  /** Acks that could not be matched or whose hash disagreed (health). */
  readonly problems: Record<AckProblem, number> = { unknown_ack: 0, ack_hash_mismatch: 0 };

  constructor(private readonly o: OutboxOptions) {}

  get ackedThrough(): number {
    return this.o.state.acked.seq;
  }

  get unsent(): number {
    return Math.max(0, this.o.head().seq - this.ackedThrough);
  }

  /** `at` of the oldest record not yet acked (null when none). */
  oldestUnsentAt(): number | null {
    if (this.unsent === 0) return null;
    if (this.oldestUnsent === null) {
      const [first] = readJournalLines(this.o.dataDir, this.o.state.acked, 1);
      this.oldestUnsent = first?.at ?? null;
    }
    return this.oldestUnsent;
  }

  /** The link is up: send everything after the cursor, in order. */
  connected(): void {
    this.generation += 1;
    this.online = true;
    this.inFlight = [];
    this.ackedIds.clear();
    this.lastProgress = Date.now();
    const every = this.o.resendAfterMs ?? DEFAULT_RESEND_MS;
    this.resendTimer ??= setInterval(() => this.resendIfStalled(), Math.max(100, every / 4));
    this.resendTimer.unref();
    this.wake();
  }

  disconnected(): void {
    this.generation += 1;
    this.online = false;
    this.inFlight = [];
    this.ackedIds.clear();
    if (this.resendTimer) clearInterval(this.resendTimer);
    this.resendTimer = null;
  }

  private resendIfStalled(): void {
    if (!this.online || this.inFlight.length === 0 || this.pumping === this.generation) return;
    if (Date.now() - this.lastProgress < (this.o.resendAfterMs ?? DEFAULT_RESEND_MS)) return;
    this.lastProgress = Date.now();
    const waiting = this.inFlight.filter((l) => !this.ackedIds.has(l.id));
    this.resent += waiting.length;
    this.o.log.warn(
      { records: waiting.length, fromSeq: waiting[0]?.seq },
      "outbox: no ack from the merchant; sending again what it has not acknowledged",
    );
    for (const l of waiting)
      this.o.send(travellingRecord(l.json, l.hash)).catch((err: Error) => {
        this.o.log.debug({ seq: l.seq, err: err.message }, "outbox: re-send not accepted by the broker");
      });
  }

  /** A record was committed (or the window has room): read on and send. */
  wake(): void {
    if (!this.online) return;
    if (this.pumping === this.generation) {
      this.again = true;
      return;
    }
    const generation = this.generation;
    this.pumping = generation;
    void this.pump(generation).finally(() => {
      if (this.pumping !== generation) return;
      this.pumping = -1;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Sends what the window has room for; a pump of an earlier connection stops touching anything. */
  private async pump(generation: number): Promise<void> {
    const current = () => this.online && generation === this.generation;
    while (current() && this.inFlight.length < this.o.window) {
      const from = this.inFlight.at(-1)?.next ?? this.o.state.acked;
      const lines = readJournalLines(this.o.dataDir, from, this.o.window - this.inFlight.length);
      if (lines.length === 0) return;
      this.inFlight.push(...lines);
      const sent = await Promise.allSettled(lines.map((l) => this.o.send(travellingRecord(l.json, l.hash))));
      if (!current()) return;
      const failedAt = sent.findIndex((r) => r.status === "rejected");
      if (failedAt >= 0) {
        const failed = lines[failedAt] as JournalLine;
        const reason = (sent[failedAt] as PromiseRejectedResult).reason as Error;
        this.o.log.warn(
          { seq: failed.seq, err: reason.message },
          "outbox: the broker did not take a record; retrying",
        );
        const keep = this.inFlight.findIndex((l) => l.seq === failed.seq);
        if (keep >= 0) this.inFlight.length = keep;
        setTimeout(() => this.wake(), RETRY_MS).unref();
        return;
      }
    }
  }

  /** The merchant's ack: move the cursor over what it now holds. */
  ack(ack: Ack): void {
    for (const id of ack.ids ?? []) {
      if (this.inFlight.some((l) => l.id === id)) this.ackedIds.add(id);
      else this.problems.unknown_ack += 1;
    }
    let through = 0;
    if (ack.through) {
      const line = this.inFlight.find((l) => l.seq === ack.through?.seq);
      if (ack.through.seq <= this.ackedThrough) {
        // Already held: a repeated ack.
      } else if (!line) {
        this.problems.unknown_ack += 1;
      } else if (line.hash !== ack.through.hash) {
        this.problems.ack_hash_mismatch += 1;
        this.o.log.error(
          { seq: line.seq, ours: line.hash, theirs: ack.through.hash },
          "outbox: the merchant acknowledged a record with another hash: not moving the cursor",
        );
      } else through = line.seq;
    }
    let last: JournalLine | undefined;
    while (this.inFlight.length > 0) {
      const first = this.inFlight[0] as JournalLine;
      if (first.seq > through && !this.ackedIds.has(first.id)) break;
      this.ackedIds.delete(first.id);
      last = this.inFlight.shift();
    }
    if (!last) return;
    this.lastProgress = Date.now();
    this.o.state.setAcked({ seq: last.seq, hash: last.hash, ...last.next });
    this.oldestUnsent = this.inFlight[0]?.at ?? null;
    this.o.onChange?.();
    this.wake();
  }

  /** A record was committed: the counts changed and there is something to send. */
  committed(): void {
    this.o.onChange?.();
    this.wake();
  }
}
