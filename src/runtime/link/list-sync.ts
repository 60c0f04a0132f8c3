import {
  AssemblyError,
  ListAssembly,
  type ListChunk,
  type ListManifest,
  type ListResync,
  type ListWant,
} from "../../protocol/mqtt/index.js";
import type { ListHead } from "../engine/list-overlay.js";
import type { Logger } from "../log.js";

/*
 * Coupon lists over the link. A signed manifest (already verified by the channel: signature,
 * schema, our merchant on the topic) announces a snapshot or a delta; its chunks are checked one
 * by one against the manifest's hashes as they arrive (a chunk that does not match is refused and
 * changes nothing), and the whole document is handed to `apply` only once it is complete and its
 * hash is the manifest's. The list in force serves until then. Replays of the version in force or
 * an older one are refused; a delta on another base, or a version after a gap, asks for a resync;
 * chunks still missing after `wantAfterMs` are asked for by index.
 */

export type ListSyncProblem =
  | "stale_version"
  | "wrong_store"
  | "wrong_merchant"
  | "foreign_chunk"
  | "altered_chunk"
  | "duplicate_chunk"
  | "list_refused";

export class ListSyncRefusal extends Error {
  override name = "RefusedMessage";
  constructor(
    readonly problem: ListSyncProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface ListSyncOptions {
  merchant: string;
  store: string;
  terminal: string;
  /** The list in force (version and the SHA-256 of its signed document). */
  held: () => ListHead | null;
  /**
   * Puts an assembled snapshot or delta (its signed envelope) in force; throws when refused. For a
   * snapshot the whole envelope's SHA-256 (`sha256`, the manifest's) is the applier's to check, off
   * the thread that answers scans; the envelope's memory may be moved there.
   */
  apply: (kind: "snapshot" | "delta", envelope: Buffer, sha256: string) => Promise<void>;
  send: {
    want: (want: Omit<ListWant, "format" | "terminal">) => Promise<void>;
    resync: (resync: Pick<ListResync, "reason">) => Promise<void>;
  };
  log: Logger;
  wantAfterMs?: number;
}

export class ListSync {
  private assembly: ListAssembly | null = null;
  private applying = false;
  private wantTimer: NodeJS.Timeout | null = null;
  /** Lists put in force over the link since start. */
  applied = 0;

  constructor(private readonly o: ListSyncOptions) {}

  async manifest(m: ListManifest): Promise<void> {
    if (m.merchant !== this.o.merchant)
      throw new ListSyncRefusal("wrong_merchant", `manifest for ${m.merchant}`);
    if (m.store !== undefined && m.store !== this.o.store)
      throw new ListSyncRefusal("wrong_store", `manifest for store ${m.store}`);
    const held = this.o.held();
    if (held && m.version <= held.version) {
      if (m.version === held.version) return; // the retained manifest of the list in force: nothing to do
      throw new ListSyncRefusal(
        "stale_version",
        `version ${m.version} is older than ${held.version} in force`,
      );
    }
    const current = this.assembly?.manifest;
    if (current && (current.version > m.version || current.envelope.sha256 === m.envelope.sha256)) return;
    if (m.kind === "delta") {
      const base = m.base;
      if (!held || !base || base.version !== held.version || base.documentHash !== held.documentHash) {
        const gap = held !== null && base !== undefined && base.version > held.version;
        this.o.log.warn(
          { version: m.version, base: base?.version, held: held?.version ?? null },
          "list: a delta on another base; asking for the whole list",
        );
        await this.o.send.resync({ reason: held === null ? "no_list" : gap ? "version_gap" : "wrong_base" });
        return;
      }
    }
    this.assembly = new ListAssembly(m);
    this.o.log.info(
      { version: m.version, kind: m.kind, chunks: m.chunks.length },
      "list: a new list is on its way",
    );
    this.armWant();
  }

  async chunk(c: ListChunk): Promise<void> {
    const assembly = this.assembly;
    if (!assembly || c.envelope !== assembly.manifest.envelope.sha256) {
      // A chunk of a list not announced, or of one already applied: harmless, counted.
      throw new ListSyncRefusal(
        "foreign_chunk",
        `chunk ${c.index} of version ${c.version}: no such list awaited`,
      );
    }
    try {
      assembly.add(c);
    } catch (err) {
      if (err instanceof AssemblyError) {
        if (err.problem === "duplicate_chunk") return;
        throw new ListSyncRefusal(
          err.problem === "altered_chunk" ? "altered_chunk" : "foreign_chunk",
          err.message,
        );
      }
      throw err;
    }
    this.armWant();
    if (assembly.complete && !this.applying) await this.finish(assembly);
  }

  /** The `resync-list` command, or a list in force found damaged: ask for the whole list. */
  async resync(reason: ListResync["reason"] = "commanded"): Promise<void> {
    await this.o.send.resync({ reason: this.o.held() === null ? "no_list" : reason });
  }

  stop(): void {
    if (this.wantTimer) clearTimeout(this.wantTimer);
    this.wantTimer = null;
  }

  private async finish(assembly: ListAssembly): Promise<void> {
    this.applying = true;
    this.stop();
    try {
      const m = assembly.manifest;
      const envelope = assembly.finish({ wholeHashCheckedElsewhere: m.kind === "snapshot" });
      await this.o.apply(m.kind, envelope, m.envelope.sha256);
      this.applied += 1;
      this.o.log.info(
        { version: m.version, kind: m.kind, sha256: m.envelope.sha256 },
        "list: applied from the link",
      );
    } catch (err) {
      throw new ListSyncRefusal(
        "list_refused",
        `version ${assembly.manifest.version}: ${(err as Error).message}`,
      );
    } finally {
      this.applying = false;
      if (this.assembly === assembly) this.assembly = null;
    }
  }

  private armWant(): void {
    if (this.wantTimer) clearTimeout(this.wantTimer);
    const assembly = this.assembly;
    if (!assembly || assembly.complete) return;
    this.wantTimer = setTimeout(() => {
      const missing = assembly.missing();
      if (this.assembly !== assembly || missing.length === 0) return;
      this.o.log.info(
        { version: assembly.manifest.version, missing: missing.length },
        "list: asking for missing chunks",
      );
      this.o.send
        .want({
          version: assembly.manifest.version,
          envelope: assembly.manifest.envelope.sha256,
          chunks: missing,
        })
        .catch((err: Error) =>
          this.o.log.warn({ err: err.message }, "list: the request for chunks was not sent"),
        );
      this.armWant();
    }, this.o.wantAfterMs ?? 5000);
    this.wantTimer.unref();
  }
}
