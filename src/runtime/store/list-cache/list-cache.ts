import { createHash, randomBytes, verify } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import {
  CouponListError,
  type ListDelta,
  type ListShell,
  listDeltaSchema,
  readListDocumentBytes,
} from "../../../protocol/coupon-list/index.js";
import { openEnvelopeBytes, publicKeyObject, SignatureError } from "../../../protocol/envelope/index.js";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../../../protocol/limits.js";
import type { CodeLookup } from "../../engine/code-lookup.js";
import { type CouponIndex, indexFromParts } from "../../engine/coupon-index.js";
import { type DeltaOutcome, ListDeltaError, type ListHead, ListOverlay } from "../../engine/list-overlay.js";
import {
  type PackedCodes,
  PackedCodesBuilder,
  PackedCodesError,
  PackedCodeTable,
} from "../../engine/packed-codes.js";
import type { Logger } from "../../log.js";
import { fsyncDirectory, writeFileDurable } from "../durable-file.js";
import { decodeTable, readTableFile, TABLE_FILE, TableFileError, writeTableFile } from "./table-file.js";
import { TableFileLookup, TableFileReader } from "./table-reader.js";

/**
 * The list in force, kept in a directory of its own:
 *   codes.table         the packed code table and the list without its codes (table-file.ts)
 *   overlay.json        signed deltas applied since the table was built (small; rewritten per delta)
 *   doc-<sha256>.json   the exact signed document bytes the table was built from (one per link of
 *                       its chain: a full list, then any deltas folded in by compaction)
 *
 * Threat model. The merchant's signature is what makes a list trustworthy; it is checked on every
 * list or delta that arrives. At start-up the table is only checked against its own SHA-256, which
 * catches a truncated or rotting file but not a deliberate edit: someone who can write the data
 * directory could rebuild a table with a matching hash (they could equally edit the config's pinned
 * key). Re-checking the signature over 45 MB of document and rebuilding the table would cost a
 * second per start on a Pi, so that check (`verifyListCache`: signatures of the whole chain, then
 * a rebuild compared byte for byte) runs off the hot path, in `quan doctor` / `journal verify`.
 * The overlay is small, so its deltas' signatures are re-verified at every open.
 */
export { TABLE_FILE };
export const OVERLAY_FILE = "overlay.json";
export const documentFile = (hash: string) => `doc-${hash}.json`;

/** Fold the overlay into a new table once it holds this many codes. */
export const COMPACT_AFTER = 50_000;

export interface ChainLink {
  kind: "full" | "delta";
  documentHash: string;
  signature: string;
}

export interface TableMeta {
  format: "quan.list-table/1";
  shell: ListShell;
  /** Campaign numbering of the packed values. */
  campaignIds: string[];
  head: ListHead;
  chain: ChainLink[];
}

interface OverlayFile {
  format: "quan.list-overlay/1";
  base: ListHead;
  deltas: { signature: string; document: string }[];
}

export interface Pinned {
  id: string;
  publicKey: string;
}

export type ListImportResult = { status: "imported" | "unchanged"; version: number; codes: number };

/**
 * A list verified and built by `prepareListImport`, waiting in temp files in the cache directory
 * for `ListCache.commit`. Plain data, so it can come back from a worker thread; `table` (the bytes
 * of the staged table) moves rather than being copied (`transferOf`), so the thread that commits
 * serves the new list from them without reading, hashing or building anything.
 */
export type PreparedList =
  | { status: "unchanged"; dir: string; version: number; codes: number }
  | {
      status: "prepared";
      dir: string;
      version: number;
      codes: number;
      issuedAt: string;
      documentHash: string;
      /** Temp files in `dir`: the signed document, the built table and its fresh (empty) overlay. */
      stagedDocument: string;
      stagedTable: string;
      stagedOverlay: string;
      /** The staged table's bytes, exactly as written (and hashed) by the step that built it. */
      table: Uint8Array;
    };

/** What to transfer (not copy) when posting a prepared list between threads. */
export function transferOf(prepared: PreparedList): ArrayBuffer[] {
  return prepared.status === "prepared" ? [prepared.table.buffer as ArrayBuffer] : [];
}

const STAGED_PREFIX = "staged-";
/** Replaced tables and documents waiting to be removed in the background. */
const RETIRED_PREFIX = "retired-";

/** How the table is held: in memory (the daemon), or read by positioned reads (`coupons check`). */
export type OpenMode = "memory" | "reader";

export class ListCache {
  private constructor(
    readonly dir: string,
    private readonly pinned: Pinned,
    private readonly meta: TableMeta,
    private readonly table: PackedCodeTable | TableFileLookup,
    private readonly overlay: ListOverlay,
    private readonly deltas: OverlayFile["deltas"],
  ) {}

  /** Opens the cache in `dir`, or returns null when no list was ever imported there. */
  static open(dir: string, pinned: Pinned, log: Logger, mode: OpenMode = "memory"): ListCache | null {
    const tablePath = join(dir, TABLE_FILE);
    if (!existsSync(tablePath)) return null;
    let meta: TableMeta;
    let table: PackedCodeTable | TableFileLookup;
    if (mode === "reader") {
      const reader = TableFileReader.open(tablePath);
      try {
        meta = checkMeta(tablePath, reader.meta);
      } catch (err) {
        reader.close();
        throw err;
      }
      table = new TableFileLookup(reader, meta.campaignIds, tablePath);
    } else {
      const { meta: raw, codes } = readTableFile(tablePath);
      meta = checkMeta(tablePath, raw);
      table = newTable(tablePath, codes, meta.campaignIds);
    }
    try {
      const overlay = new ListOverlay(table, meta.shell, meta.head);
      const deltas: OverlayFile["deltas"] = [];
      const file = readOverlayFile(dir);
      const pending = file ? deltasAfter(file, meta.head) : null;
      if (file && !pending) {
        // Written for an older table: a crash came between a new table and its fresh overlay.
        log.warn(
          { overlayBase: file.base, table: meta.head },
          "list overlay belongs to an older table: ignored",
        );
      } else if (pending) {
        for (const d of pending) {
          const document = Buffer.from(d.document, "utf8");
          if (!signatureHolds(document, d.signature, pinned.publicKey))
            throw new TableFileError(join(dir, OVERLAY_FILE), "a delta's signature does not verify");
          overlay.apply(parseDelta(document), sha256(document));
          deltas.push(d);
        }
      }
      return new ListCache(dir, pinned, meta, table, overlay, deltas);
    } catch (err) {
      if (table instanceof TableFileLookup) table.close();
      throw err;
    }
  }

  /** Verifies, builds and commits a full list in one go (the CLI's path; see prepareListImport). */
  static importList(
    dir: string,
    envelope: Buffer,
    pinned: Pinned,
    inForce: ListHead | null,
  ): ListImportResult {
    const prepared = prepareListImport(dir, envelope, pinned, inForce);
    if (prepared.status === "prepared") commitPreparedFiles(prepared, null);
    return { status: prepared.status === "unchanged" ? "unchanged" : "imported", ...counts(prepared) };
  }

  /**
   * The cheap step of an import, in the thread that owns the store: renames the prepared files into
   * place (the table's rename is the commit point) and serves the new list from the table bytes
   * the prepare step built, hashed and checked (no re-read, no re-hash: a million codes cost a few
   * renames and fsyncs here, not a pass over the table). Until the rename the old table is the one
   * on disk; if anything fails before it, the old list still serves.
   */
  static commit(prepared: PreparedList & { status: "prepared" }, pinned: Pinned, log: Logger): ListCache {
    commitPreparedFiles(prepared, log);
    const path = join(prepared.dir, TABLE_FILE);
    const { meta: raw, codes } = decodeTable(path, prepared.table, "hashed-here");
    const meta = checkMeta(path, raw);
    const table = PackedCodeTable.checkedBefore(codes, meta.campaignIds);
    return new ListCache(
      prepared.dir,
      pinned,
      meta,
      table,
      new ListOverlay(table, meta.shell, meta.head),
      [],
    );
  }

  /** Removes the temp files of a prepared list that will not be committed (refused, superseded). */
  static discard(prepared: PreparedList): void {
    if (prepared.status !== "prepared") return;
    rmSync(prepared.stagedDocument, { force: true });
    rmSync(prepared.stagedTable, { force: true });
    rmSync(prepared.stagedOverlay, { force: true });
  }

  /**
   * Staged files left by an import that never committed (a crash, a worker killed). Only for the
   * owner of the directory at open, when no import can be under way.
   */
  static removeStaged(dir: string): void {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir))
      if (name.startsWith(STAGED_PREFIX) || name.startsWith(RETIRED_PREFIX))
        rmSync(join(dir, name), { force: true });
  }

  close(): void {
    if (this.table instanceof TableFileLookup) this.table.close();
  }

  get head(): ListHead {
    return this.overlay.head;
  }

  get shell(): ListShell {
    return this.overlay.shell;
  }

  /** The codes in force: the overlay's edits, then the table. */
  get codes(): CodeLookup {
    return this.overlay;
  }

  get overlaySize(): number {
    return this.overlay.editCount;
  }

  index(): CouponIndex {
    return indexFromParts(this.overlay.shell, this.overlay);
  }

  /**
   * Verifies a signed delta and applies it on top of the head: persisted first (the overlay file,
   * rewritten: its size is the deltas since the last compaction), then applied in memory. A delta
   * already applied or older than the head changes nothing. `accept` may refuse a verified delta
   * (by throwing) before anything is written.
   */
  applyDelta(
    envelope: Buffer,
    accept: (delta: ListDelta) => void = () => undefined,
  ): { status: DeltaOutcome; version: number } {
    let opened: ReturnType<typeof openEnvelopeBytes>;
    try {
      opened = openEnvelopeBytes(envelope, this.pinned.publicKey);
    } catch (err) {
      if (err instanceof SignatureError) throw new ListDeltaError("invalid_delta", err.message);
      throw err;
    }
    const delta = parseDelta(opened.document);
    accept(delta);
    const { outcome, commit } = this.overlay.prepare(delta, sha256(opened.document));
    if (outcome !== "applied") return { status: outcome, version: this.head.version };
    const deltas = [
      ...this.deltas,
      { signature: opened.signature, document: opened.document.toString("utf8") },
    ];
    writeOverlayFile(join(this.dir, OVERLAY_FILE), {
      format: "quan.list-overlay/1",
      base: this.meta.head,
      deltas,
    });
    commit();
    this.deltas.push(deltas[deltas.length - 1] as OverlayFile["deltas"][number]);
    return { status: "applied", version: delta.version };
  }

  /**
   * Folds the overlay into a new table, in this thread (see prepareCompaction and
   * commitCompaction for the split a running terminal uses). Returns the cache as it now is.
   */
  compact(log: Logger): ListCache {
    const prepared = this.prepareCompaction();
    if (!prepared) return this;
    const next = this.commitCompaction(prepared, log);
    if (!next) throw new Error("unreachable: nothing changed the list between the two steps");
    return next;
  }

  /**
   * The heavy step of a compaction (it reads every code): the table and the overlay's deltas
   * folded into a new table in a temp file, the deltas' signed documents beside it (named by their
   * hash, joining the chain so the whole can still be re-verified). Changes nothing in force.
   */
  prepareCompaction(): PreparedCompaction | null {
    if (this.deltas.length === 0) return null;
    if (this.table instanceof TableFileLookup)
      throw new Error("a list cache opened as a reader is not compacted");
    const built = compactedCodes(this.table, this.overlay);
    const chain = [...this.meta.chain];
    for (const d of this.deltas) {
      const document = Buffer.from(d.document, "utf8");
      const documentHash = sha256(document);
      writeFileDurable(join(this.dir, documentFile(documentHash)), document);
      chain.push({ kind: "delta", documentHash, signature: d.signature });
    }
    mkdirSync(this.dir, { recursive: true });
    const stagedTable = join(
      this.dir,
      `${STAGED_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}.compacted`,
    );
    const meta: TableMeta = {
      format: "quan.list-table/1",
      shell: this.overlay.shell,
      campaignIds: built.campaignIds,
      head: this.head,
      chain,
    };
    newTable(stagedTable, built.codes, built.campaignIds);
    const table = writeTableFile(stagedTable, meta, built.codes);
    return {
      dir: this.dir,
      base: this.meta.head,
      head: this.head,
      folded: this.deltas.length,
      stagedTable,
      table,
    };
  }

  /**
   * The cheap step, in the thread that owns the store: the prepared table replaces this one if it
   * was built from it and the deltas it folded are still the first of this overlay (null, and the
   * temp file removed, when the list changed meanwhile: a new full list). Deltas applied since the
   * preparation stay in the overlay, on top of the new table; the rename is the commit point, and
   * an overlay found beside a newer table keeps the deltas past that table's head (see open).
   */
  commitCompaction(prepared: PreparedCompaction, log: Logger): ListCache | null {
    const same =
      this.meta.head.documentHash === prepared.base.documentHash &&
      this.deltas.length >= prepared.folded &&
      prepared.folded > 0 &&
      sha256(
        Buffer.from((this.deltas[prepared.folded - 1] as OverlayFile["deltas"][number]).document, "utf8"),
      ) === prepared.head.documentHash;
    if (!same) {
      rmSync(prepared.stagedTable, { force: true });
      return null;
    }
    const tablePath = join(this.dir, TABLE_FILE);
    const retired = retiredName(this.dir);
    linkSync(tablePath, retired);
    try {
      renameSync(prepared.stagedTable, tablePath);
      fsyncDirectory(this.dir);
    } finally {
      rm(retired, { force: true }).catch((err: unknown) =>
        log.warn({ err, path: retired }, "could not remove a replaced list file (removed at the next start)"),
      );
    }
    const rest = this.deltas.slice(prepared.folded);
    writeOverlayFile(join(this.dir, OVERLAY_FILE), {
      format: "quan.list-overlay/1",
      base: prepared.head,
      deltas: rest,
    });
    const { meta: raw, codes } = decodeTable(tablePath, prepared.table, "hashed-here");
    const meta = checkMeta(tablePath, raw);
    removeUnchained(
      this.dir,
      meta.chain.map((l) => l.documentHash),
    );
    const table = PackedCodeTable.checkedBefore(codes, meta.campaignIds);
    const overlay = new ListOverlay(table, meta.shell, meta.head);
    // Verified when they were applied; applied again on the new table (a few, and small).
    for (const d of rest) {
      const document = Buffer.from(d.document, "utf8");
      overlay.apply(parseDelta(document), sha256(document));
    }
    if (this.table instanceof TableFileLookup) this.table.close();
    return new ListCache(this.dir, this.pinned, meta, table, overlay, [...rest]);
  }
}

/** A compaction built by `prepareCompaction`, waiting in a temp file for `commitCompaction`. */
export interface PreparedCompaction {
  dir: string;
  /** The head of the table it was built from, and the head it folded the overlay up to. */
  base: ListHead;
  head: ListHead;
  /** How many of the overlay's deltas it folded. */
  folded: number;
  stagedTable: string;
  /** The staged table's bytes (moved, not copied, between threads). */
  table: Uint8Array;
}

/**
 * The heavy step of a compaction, for a worker thread: opens the cache in `dir` on its own
 * (verifying the overlay's signatures again) and prepares the compaction of what it found.
 */
export function prepareCompaction(dir: string, pinned: Pinned, log: Logger): PreparedCompaction | null {
  const cache = ListCache.open(dir, pinned, log);
  return cache ? cache.prepareCompaction() : null;
}

/**
 * The overlay's deltas still to apply on a table at `head`: all of them when it was written for
 * that table; those after the table's head when a compaction folded the first of them into the
 * table and a crash came before the overlay was rewritten; null when it belongs to an older table.
 */
function deltasAfter(file: OverlayFile, head: ListHead): OverlayFile["deltas"] | null {
  if (file.base.documentHash === head.documentHash && file.base.version === head.version) return file.deltas;
  const at = file.deltas.findIndex((d) => sha256(Buffer.from(d.document, "utf8")) === head.documentHash);
  return at < 0 ? null : file.deltas.slice(at + 1);
}

/**
 * The heavy step of an import, pure but for temp files: verifies the signed envelope against the
 * pinned key, reads the document with memory bounded by a batch of codes, builds the table and
 * writes it and the signed document to temp files in `dir`. Touches no store state and nothing the
 * list in force reads, so it may run in a worker thread while the old list serves. Refuses a
 * version not newer than `inForce` unless it is the very same document ("unchanged").
 * `envelope` is overwritten in the process.
 */
export function prepareListImport(
  dir: string,
  envelope: Buffer,
  pinned: Pinned,
  inForce: ListHead | null,
): PreparedList {
  let opened: ReturnType<typeof openEnvelopeBytes>;
  try {
    opened = openEnvelopeBytes(envelope, pinned.publicKey);
  } catch (err) {
    if (err instanceof SignatureError)
      throw new CouponListError(err.problem, `coupon list refused: ${err.message}`);
    throw err;
  }
  const documentHash = sha256(opened.document);
  const built = buildFromDocument(opened.document);
  const { shell } = built;
  const codes = built.codes.values.length;
  if (shell.merchant !== pinned.id)
    throw new CouponListError(
      "wrong_merchant",
      `coupon list refused: it is for merchant "${shell.merchant}", this terminal belongs to "${pinned.id}"`,
    );
  if (inForce?.documentHash === documentHash)
    return { status: "unchanged", dir, version: shell.version, codes };
  refuseStale(shell.version, inForce);
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `${STAGED_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
  const stagedDocument = `${stem}.doc`;
  const stagedTable = `${stem}.table`;
  const stagedOverlay = `${stem}.overlay`;
  const link: ChainLink = { kind: "full", documentHash, signature: opened.signature };
  const head = { version: shell.version, documentHash };
  let table: Buffer;
  try {
    // The structural check the serving thread then skips (PackedCodeTable.checkedBefore).
    newTable(stagedTable, built.codes, built.campaignIds);
    writeFileDurable(stagedDocument, opened.document);
    table = writeTableFile(
      stagedTable,
      { format: "quan.list-table/1", shell, campaignIds: built.campaignIds, head, chain: [link] },
      built.codes,
    );
    writeOverlayFile(stagedOverlay, { format: "quan.list-overlay/1", base: head, deltas: [] });
  } catch (err) {
    rmSync(stagedDocument, { force: true });
    rmSync(stagedTable, { force: true });
    rmSync(stagedOverlay, { force: true });
    throw err;
  }
  return {
    status: "prepared",
    dir,
    version: shell.version,
    codes,
    issuedAt: shell.issuedAt,
    documentHash,
    stagedDocument,
    stagedTable,
    stagedOverlay,
    table,
  };
}

/** A list that is not newer than the one in force is refused (replays, rollbacks). */
export function refuseStale(version: number, inForce: ListHead | null): void {
  if (inForce && version <= inForce.version)
    throw new CouponListError(
      "stale_version",
      `coupon list refused: version ${version} is not newer than version ${inForce.version} in force`,
    );
}

function counts(prepared: PreparedList): { version: number; codes: number } {
  return { version: prepared.version, codes: prepared.codes };
}

/**
 * Document first (named by its hash), then the table's rename: the commit point. The fresh
 * overlay goes in only after it is durable (an old overlay found beside the new table is ignored
 * at open; a new overlay beside the old table would drop its deltas), then unchained documents go.
 *
 * Freeing the blocks of a replaced table or document (tens of MB) takes the kernel 5-10 ms per
 * file here, longer on an SD card, so the thread that serves scans never unlinks them: the old
 * table keeps a second name until the rename has replaced it, the old documents are renamed
 * away (cheap), and those retired names are removed in the background. A crash leaves them to
 * `removeStaged` at the next start. With no `log` (a one-shot import that serves no scans) they
 * are removed before returning.
 */
function commitPreparedFiles(prepared: PreparedList & { status: "prepared" }, log: Logger | null): void {
  const { dir } = prepared;
  const retired: string[] = [];
  const tablePath = join(dir, TABLE_FILE);
  if (existsSync(tablePath)) {
    const name = retiredName(dir);
    linkSync(tablePath, name);
    retired.push(name);
  }
  try {
    renameSync(prepared.stagedDocument, join(dir, documentFile(prepared.documentHash)));
    renameSync(prepared.stagedTable, tablePath);
    fsyncDirectory(dir);
    renameSync(prepared.stagedOverlay, join(dir, OVERLAY_FILE));
    fsyncDirectory(dir);
    for (const name of unchainedDocuments(dir, [prepared.documentHash])) {
      const to = retiredName(dir);
      renameSync(join(dir, name), to);
      retired.push(to);
    }
  } finally {
    for (const path of retired)
      if (!log) rmSync(path, { force: true });
      else
        rm(path, { force: true }).catch((err: unknown) =>
          log.warn({ err, path }, "could not remove a replaced list file (removed at the next start)"),
        );
  }
}

function retiredName(dir: string): string {
  return join(dir, `${RETIRED_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
}

/**
 * Off the hot path: re-verifies every signed document the cache was built from against the pinned
 * key and rebuilds the table from them, byte for byte. Returns the problems found (none = sound).
 */
export function verifyListCache(dir: string, pinned: Pinned, log: Logger): string[] {
  let cache: ListCache | null;
  try {
    cache = ListCache.open(dir, pinned, log);
  } catch (err) {
    return [(err as Error).message];
  }
  if (!cache) return [];
  const { meta } = readTableFile(join(dir, TABLE_FILE)) as { meta: TableMeta };
  const problems: string[] = [];
  const documents: Buffer[] = [];
  for (const link of meta.chain) {
    const path = join(dir, documentFile(link.documentHash));
    if (!existsSync(path)) {
      problems.push(`signed document ${link.documentHash.slice(0, 12)} is missing`);
      continue;
    }
    const document = readFileSync(path);
    if (sha256(document) !== link.documentHash) problems.push(`${path} does not match its hash`);
    else if (!signatureHolds(document, link.signature, pinned.publicKey))
      problems.push(`${path}: the merchant signature does not verify (forged or altered)`);
    documents.push(document);
  }
  if (problems.length) return problems;
  const [full, ...deltas] = documents;
  if (!full || meta.chain[0]?.kind !== "full") return ["the cache's chain does not start with a full list"];
  const rebuilt = buildFromDocument(full);
  const table = newTable(dir, rebuilt.codes, rebuilt.campaignIds);
  const overlay = new ListOverlay(table, rebuilt.shell, {
    version: rebuilt.shell.version,
    documentHash: sha256(full),
  });
  for (const d of deltas) overlay.apply(parseDelta(d), sha256(d));
  const expected = deltas.length ? compactedCodes(table, overlay) : rebuilt;
  const { codes: actual } = readTableFile(join(dir, TABLE_FILE));
  if (
    JSON.stringify(overlay.shell) !== JSON.stringify(meta.shell) ||
    overlay.head.documentHash !== meta.head.documentHash
  )
    problems.push("the table's list (campaigns, revocations) differs from its signed documents");
  if (!samePacked(expected.codes, actual) || expected.campaignIds.join("\n") !== meta.campaignIds.join("\n"))
    problems.push("the table's codes differ from its signed documents");
  return problems;
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function buildFromDocument(document: Buffer): {
  shell: ListShell;
  campaignIds: string[];
  codes: PackedCodes;
} {
  let builder: PackedCodesBuilder | undefined;
  const shell = readListDocumentBytes(document, (s) => {
    const b = new PackedCodesBuilder(campaignIdsOf(s));
    builder = b;
    return (code) => b.add(code);
  });
  if (!builder) throw new Error("unreachable: the document reader calls back before reading codes");
  try {
    return { shell, campaignIds: builder.campaignIds.slice(), codes: builder.finish() };
  } catch (err) {
    if (err instanceof PackedCodesError)
      throw new CouponListError("invalid_document", "coupon list refused: the document is not valid", [
        `codes: ${err.message}`,
      ]);
    throw err;
  }
}

function campaignIdsOf(shell: ListShell): string[] {
  return shell.campaigns.map((c) => c.id);
}

function compactedCodes(
  table: PackedCodeTable,
  overlay: ListOverlay,
): { campaignIds: string[]; codes: PackedCodes } {
  const campaignIds = overlay.shell.campaigns.map((c) => c.id);
  const builder = new PackedCodesBuilder(campaignIds);
  for (const entry of table.entries()) if (!overlay.overrides(entry.code)) builder.add(entry);
  for (const entry of overlay.upserts()) builder.add(entry);
  return { campaignIds, codes: builder.finish() };
}

function removeUnchained(dir: string, chain: string[]): void {
  for (const name of unchainedDocuments(dir, chain)) rmSync(join(dir, name), { force: true });
}

function unchainedDocuments(dir: string, chain: string[]): string[] {
  const keep = new Set(chain.map(documentFile));
  return readdirSync(dir).filter((n) => n.startsWith("doc-") && n.endsWith(".json") && !keep.has(n));
}

function newTable(path: string, codes: PackedCodes, campaignIds: string[]): PackedCodeTable {
  try {
    return new PackedCodeTable(codes, campaignIds);
  } catch (err) {
    if (err instanceof PackedCodesError) throw new TableFileError(path, err.message);
    throw err;
  }
}

function checkMeta(path: string, raw: unknown): TableMeta {
  const m = raw as Partial<TableMeta> | null;
  const ok =
    m?.format === "quan.list-table/1" &&
    m.shell !== undefined &&
    Array.isArray(m.campaignIds) &&
    typeof m.head?.documentHash === "string" &&
    Array.isArray(m.chain);
  if (!ok) throw new TableFileError(path, "its JSON part is not a list table's");
  return m as TableMeta;
}

function parseDelta(document: Buffer): ListDelta {
  if (jsonDepthExceeds(document, MAX_JSON_DEPTH))
    throw new ListDeltaError(
      "invalid_delta",
      `the signed document is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(document.toString("utf8"));
  } catch (err) {
    throw new ListDeltaError("invalid_delta", `the signed document is not JSON (${(err as Error).message})`);
  }
  const parsed = listDeltaSchema.safeParse(raw);
  if (!parsed.success)
    throw new ListDeltaError(
      "invalid_delta",
      `the document is not a valid delta: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")}`,
    );
  return parsed.data;
}

function signatureHolds(document: Uint8Array, signature: string, publicKey: string): boolean {
  const sig = Buffer.from(signature, "base64");
  return sig.length === 64 && verify(null, document, publicKeyObject(publicKey), sig);
}

function readOverlayFile(dir: string): OverlayFile | null {
  const path = join(dir, OVERLAY_FILE);
  if (!existsSync(path)) return null;
  let raw: OverlayFile;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as OverlayFile;
  } catch (err) {
    throw new TableFileError(path, `it does not parse (${(err as Error).message})`);
  }
  if (raw?.format !== "quan.list-overlay/1" || !raw.base || !Array.isArray(raw.deltas))
    throw new TableFileError(path, "it is not a list overlay");
  return raw;
}

function writeOverlayFile(path: string, file: OverlayFile): void {
  writeFileDurable(path, JSON.stringify(file));
}

function samePacked(a: PackedCodes, b: PackedCodes): boolean {
  const eq = (x: ArrayBufferView, y: ArrayBufferView) =>
    Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(
      Buffer.from(y.buffer, y.byteOffset, y.byteLength),
    );
  return eq(a.offsets, b.offsets) && eq(a.values, b.values) && eq(a.blob, b.blob) && eq(a.extras, b.extras);
}
