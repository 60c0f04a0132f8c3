import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import type { JournalEntry } from "../../protocol/journal/index.js";
import type {
  CodeUse,
  ConflictRow,
  KnownCode,
  MerchantRecord,
  PublishedList,
  StoredRecord,
  TamperRow,
  TerminalRow,
} from "./merchant-record.js";

/*
 * The record in SQLite: WAL with synchronous=FULL, so a committed transaction survives a power
 * cut (field notes §3: ~870 durable commits/s here; the service batches what arrives together
 * into one transaction). Records are keyed by their fleet-unique id and unique per (terminal,
 * seq): re-delivery inserts nothing.
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  id TEXT PRIMARY KEY,
  terminal TEXT NOT NULL,
  store TEXT NOT NULL,
  seq INTEGER NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  json TEXT NOT NULL,
  voided INTEGER NOT NULL DEFAULT 0,
  UNIQUE (terminal, seq)
);
CREATE TABLE IF NOT EXISTS record_codes (
  record_id TEXT NOT NULL REFERENCES records(id),
  code TEXT NOT NULL,
  campaign TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_codes_code ON record_codes (code);
CREATE INDEX IF NOT EXISTS record_codes_record ON record_codes (record_id);
CREATE TABLE IF NOT EXISTS terminals (
  terminal TEXT PRIMARY KEY,
  store TEXT NOT NULL,
  state TEXT NOT NULL,
  bd_seq INTEGER NOT NULL,
  since TEXT,
  last_seen TEXT,
  health TEXT,
  chain_seq INTEGER NOT NULL,
  chain_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tampers (
  terminal TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,
  problem TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS known_codes (code TEXT PRIMARY KEY, campaign TEXT NOT NULL, uses INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS capped_campaigns (campaign TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS conflicts (
  id TEXT PRIMARY KEY, code TEXT NOT NULL, campaign TEXT NOT NULL, uses INTEGER NOT NULL,
  state TEXT NOT NULL, detected_at TEXT NOT NULL, redemptions TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conflicts_code ON conflicts (code, state);
CREATE TABLE IF NOT EXISTS lists (
  version INTEGER NOT NULL, store TEXT, kind TEXT NOT NULL, document TEXT NOT NULL, full TEXT NOT NULL, base TEXT,
  envelope BLOB NOT NULL, envelope_sha256 TEXT NOT NULL, chunk_bytes INTEGER NOT NULL, published_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS lists_version ON lists (store, version);
`;

interface RecordRow {
  id: string;
  terminal: string;
  store: string;
  seq: number;
  prev: string;
  hash: string;
  json: string;
  received_at: string;
}

export class SqliteRecord implements MerchantRecord {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database) {}

  /** Prepared once: preparing costs more than running these small statements. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  static async open(file: string): Promise<SqliteRecord> {
    const { default: Sqlite } = await import("better-sqlite3");
    mkdirSync(dirname(file), { recursive: true });
    const db = new Sqlite(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.exec(SCHEMA);
    return new SqliteRecord(db);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  recordById(id: string) {
    return this.sql("SELECT terminal, seq, hash FROM records WHERE id = ?").get(id) as
      | { terminal: string; seq: number; hash: string }
      | undefined;
  }

  recordAt(terminal: string, seq: number) {
    return this.sql("SELECT id, hash, prev FROM records WHERE terminal = ? AND seq = ?").get(terminal, seq) as
      | { id: string; hash: string; prev: string }
      | undefined;
  }

  insertRecord(r: StoredRecord): void {
    this.sql(
      "INSERT INTO records (id, terminal, store, seq, prev, hash, type, at, received_at, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ).run(r.id, r.terminal, r.store, r.seq, r.prev, r.hash, r.entry.type, r.entry.at, r.receivedAt, r.json);
    if (r.entry.type === "redeem") {
      const insert = this.sql("INSERT INTO record_codes (record_id, code, campaign) VALUES (?, ?, ?)");
      for (const line of r.entry.lines) insert.run(r.id, line.code, line.campaign);
    }
  }

  terminal(terminal: string): TerminalRow | undefined {
    const row = this.sql("SELECT * FROM terminals WHERE terminal = ?").get(terminal) as
      | Record<string, unknown>
      | undefined;
    return row ? terminalRow(row) : undefined;
  }

  saveTerminal(t: TerminalRow): void {
    this.sql(
      `INSERT INTO terminals (terminal, store, state, bd_seq, since, last_seen, health, chain_seq, chain_hash)
         VALUES (@terminal, @store, @state, @bdSeq, @since, @lastSeen, @health, @chainSeq, @chainHash)
         ON CONFLICT (terminal) DO UPDATE SET store = @store, state = @state, bd_seq = @bdSeq, since = @since,
           last_seen = @lastSeen, health = @health, chain_seq = @chainSeq, chain_hash = @chainHash`,
    ).run(t);
  }

  terminals(): TerminalRow[] {
    return (this.sql("SELECT * FROM terminals ORDER BY terminal").all() as Record<string, unknown>[]).map(
      terminalRow,
    );
  }

  addTamper(t: TamperRow): void {
    this.sql("INSERT INTO tampers (terminal, seq, id, problem, detail, at) VALUES (?, ?, ?, ?, ?, ?)").run(
      t.terminal,
      t.seq,
      t.id,
      t.problem,
      t.detail,
      t.at,
    );
  }

  tampers(): TamperRow[] {
    return this.sql("SELECT * FROM tampers ORDER BY rowid").all() as TamperRow[];
  }

  usesOf(code: string): CodeUse[] {
    return (
      this.db
        .prepare(
          `SELECT r.id, r.terminal, r.store, r.at, c.campaign, r.voided FROM record_codes c
           JOIN records r ON r.id = c.record_id WHERE c.code = ? ORDER BY r.at, r.id`,
        )
        .all(code) as (Omit<CodeUse, "voided"> & { voided: number })[]
    ).map((u) => ({ ...u, voided: u.voided === 1 }));
  }

  codesOf(redemptionId: string): string[] {
    return (
      this.sql("SELECT code FROM record_codes WHERE record_id = ?").all(redemptionId) as {
        code: string;
      }[]
    ).map((r) => r.code);
  }

  markVoided(redemptionId: string): void {
    this.sql("UPDATE records SET voided = 1 WHERE id = ?").run(redemptionId);
  }

  knownCode(code: string): KnownCode | undefined {
    return this.sql("SELECT code, campaign, uses FROM known_codes WHERE code = ?").get(code) as
      | KnownCode
      | undefined;
  }

  campaignSpansStores(campaign: string): boolean {
    return this.sql("SELECT 1 FROM capped_campaigns WHERE campaign = ?").get(campaign) !== undefined;
  }

  saveKnownCodes(codes: KnownCode[], cappedCampaigns: string[]): void {
    const code = this.sql(
      "INSERT INTO known_codes (code, campaign, uses) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET campaign = excluded.campaign, uses = excluded.uses",
    );
    for (const c of codes) code.run(c.code, c.campaign, c.uses);
    const capped = this.sql("INSERT OR IGNORE INTO capped_campaigns (campaign) VALUES (?)");
    for (const c of cappedCampaigns) capped.run(c);
  }

  openConflictOf(code: string): ConflictRow | undefined {
    const row = this.sql("SELECT * FROM conflicts WHERE code = ? AND state = 'open'").get(code) as
      | Record<string, unknown>
      | undefined;
    return row ? conflictRow(row) : undefined;
  }

  saveConflict(c: ConflictRow): void {
    this.sql(
      `INSERT INTO conflicts (id, code, campaign, uses, state, detected_at, redemptions) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, redemptions = excluded.redemptions`,
    ).run(c.id, c.code, c.campaign, c.uses, c.state, c.detectedAt, JSON.stringify(c.redemptions));
  }

  conflicts(): ConflictRow[] {
    return (
      this.sql("SELECT * FROM conflicts ORDER BY detected_at, id").all() as Record<string, unknown>[]
    ).map(conflictRow);
  }

  eachRecord(visit: (r: StoredRecord) => void): void {
    for (const row of this.sql(
      "SELECT id, terminal, store, seq, prev, hash, json, received_at FROM records ORDER BY terminal, seq",
    ).iterate() as IterableIterator<RecordRow>) {
      const parsed = JSON.parse(row.json) as JournalEntry & { seq: number; prev: string };
      const { seq: _s, prev: _p, ...entry } = parsed;
      visit({
        id: row.id,
        terminal: row.terminal,
        store: row.store,
        seq: row.seq,
        prev: row.prev,
        hash: row.hash,
        json: row.json,
        entry: entry as JournalEntry,
        receivedAt: row.received_at,
      });
    }
  }

  recordCount(): number {
    return (this.sql("SELECT count(*) AS n FROM records").get() as { n: number }).n;
  }

  savePublishedList(l: PublishedList): void {
    this.sql(
      "INSERT INTO lists (version, store, kind, document, full, base, envelope, envelope_sha256, chunk_bytes, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ).run(
      l.version,
      l.store,
      l.kind,
      l.document,
      l.full,
      l.base ? JSON.stringify(l.base) : null,
      l.envelope,
      sha256(l.envelope),
      l.chunkBytes,
      l.publishedAt,
    );
  }

  latestList(store: string | null, kind?: "snapshot"): PublishedList | undefined {
    const row = this.sql(
      `SELECT * FROM lists WHERE (store IS ? OR store IS NULL) ${kind ? "AND kind = 'snapshot'" : ""}
         ORDER BY version DESC, store IS NULL LIMIT 1`,
    ).get(store) as Record<string, unknown> | undefined;
    return row ? listRow(row) : undefined;
  }

  listByEnvelope(version: number, envelopeSha256: string): PublishedList | undefined {
    const row = this.sql("SELECT * FROM lists WHERE version = ? AND envelope_sha256 = ?").get(
      version,
      envelopeSha256,
    ) as Record<string, unknown> | undefined;
    return row ? listRow(row) : undefined;
  }

  close(): void {
    this.db.close();
  }
}

function terminalRow(row: Record<string, unknown>): TerminalRow {
  return {
    terminal: row.terminal as string,
    store: row.store as string,
    state: row.state as TerminalRow["state"],
    bdSeq: row.bd_seq as number,
    since: (row.since as string | null) ?? null,
    lastSeen: (row.last_seen as string | null) ?? null,
    health: (row.health as string | null) ?? null,
    chainSeq: row.chain_seq as number,
    chainHash: row.chain_hash as string,
  };
}

function conflictRow(row: Record<string, unknown>): ConflictRow {
  return {
    id: row.id as string,
    code: row.code as string,
    campaign: row.campaign as string,
    uses: row.uses as number,
    state: row.state as ConflictRow["state"],
    detectedAt: row.detected_at as string,
    redemptions: JSON.parse(row.redemptions as string) as ConflictRow["redemptions"],
  };
}

function listRow(row: Record<string, unknown>): PublishedList {
  return {
    version: row.version as number,
    store: (row.store as string | null) ?? null,
    kind: row.kind as PublishedList["kind"],
    document: row.document as string,
    full: row.full as string,
    base: row.base ? (JSON.parse(row.base as string) as PublishedList["base"]) : null,
    envelope: row.envelope as Buffer,
    chunkBytes: row.chunk_bytes as number,
    publishedAt: row.published_at as string,
  };
}

function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}
