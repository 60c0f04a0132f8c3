import { join } from "node:path";
import { parseArgs } from "node:util";
import { entryOf, type JournalEntry, type RedeemEntry } from "../../protocol/journal/index.js";
import { csvHeader, csvRows, UTF8_BOM } from "../../runtime/ledger/csv-export.js";
import { heldConflictsByRedemption, readAckedCursor } from "../../runtime/link/link-state.js";
import { readCachedTimezone } from "../../runtime/store/cache-info.js";
import { readCommitEvidence } from "../../runtime/store/commit-evidence.js";
import { JournalCorruptError, tornTailDamage } from "../../runtime/store/journal.js";
import { journalFiles, walkJournal } from "../../runtime/store/ledger/segments.js";
import { resolveConfig } from "../cli-config.js";
import { CliError, EXIT, type Io } from "../cli-error.js";
import { terminalOptions } from "../common-options.js";

/**
 * quan journal verify | quan journal export [--format csv] [--no-bom] [--from ISO] [--to ISO] [--tz ZONE]
 * Both only read the journal, so they are safe while the terminal is running.
 */
export function journalCommand(args: string[], io: Io): number {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...terminalOptions,
      format: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      tz: { type: "string" },
      "no-bom": { type: "boolean" },
    },
  });
  const dataDir = values.data ?? resolveConfig(values, io).dataDir;
  if (sub === "verify") {
    // Every segment, oldest first, the chain checked across them too.
    let records = 0;
    let result: ReturnType<typeof walkJournal>;
    // What the merchant acknowledged holding: the record at that seq must still be that record.
    const acked = readAckedCursor(dataDir);
    const seen: { ackedHash: string | null } = { ackedHash: null };
    try {
      result = walkJournal(dataDir, (record) => {
        records++;
        if (acked && record.seq === acked.seq) seen.ackedHash = record.hash;
      });
    } catch (err) {
      if (!(err instanceof JournalCorruptError)) throw err;
      io.err(`${err.path}: line ${err.line} (byte ${err.offset}): ${err.problem}\n`);
      return EXIT.error;
    }
    const lastSegment = journalFiles(dataDir).at(-1)?.path ?? join(dataDir, "journal");
    const damage = tornTailDamage(lastSegment, result.torn, result.last.seq, readCommitEvidence(dataDir));
    if (damage) {
      io.err(`${damage.message}\n`);
      return EXIT.error;
    }
    const ackedFound = seen.ackedHash;
    if (acked && ackedFound !== acked.hash) {
      io.err(
        ackedFound === null
          ? `the merchant acknowledged records through seq ${acked.seq}, but the journal ends at seq ${result.last.seq}: records the merchant holds are gone from this terminal\n`
          : `record ${acked.seq} is not the one the merchant acknowledged (its hash was ${acked.hash.slice(0, 16)}…, now ${ackedFound.slice(0, 16)}…): the journal was rewritten after it was reported\n`,
      );
      return EXIT.error;
    }
    io.out(
      `${join(dataDir, "journal")}: ${records} records in ${result.segments} segment(s), hash chain intact, last hash ${result.last.hash}\n`,
    );
    if (acked) io.out(`matches what the merchant acknowledged, through seq ${acked.seq}\n`);
    if (result.torn)
      io.out(
        `note: the last line is incomplete (${result.torn.droppedBytes} bytes at byte ${result.torn.offset} of ${lastSegment}), a write that never completed; the next start sets it aside into a .torn-${result.torn.offset} file beside it\n`,
      );
    return EXIT.ok;
  }
  if (sub === "export") {
    if ((values.format ?? "csv") !== "csv")
      throw new CliError(
        "usage: quan journal export [--format csv] [--no-bom] [--from ISO] [--to ISO] [--tz ZONE]",
      );
    const from = values.from ? instant(values.from, "--from") : -Infinity;
    const to = values.to ? instant(values.to, "--to") : Infinity;
    const tz = values.tz ?? timezoneFromCache(dataDir) ?? "UTC";
    // Two passes over the segments, nothing held but what a void in range needs: first which
    // redemptions those voids cancel (they may lie before the range), then the rows.
    const inRange = (e: JournalEntry) => {
      const t = Date.parse(e.at);
      return t >= from && t < to;
    };
    const cancelled = new Set<string>();
    walkJournal(dataDir, (record) => {
      const e = entryOf(record);
      if (e.type === "void" && inRange(e)) cancelled.add(e.target);
    });
    const originals = new Map<string, RedeemEntry>();
    const conflicts = heldConflictsByRedemption(dataDir);
    let pending = values["no-bom"] ? csvHeader() : `${UTF8_BOM}${csvHeader()}`;
    walkJournal(dataDir, (record) => {
      const e = entryOf(record);
      if (e.type === "redeem" && cancelled.has(e.id)) originals.set(e.id, e);
      if (!inRange(e)) return;
      pending += csvRows(
        e,
        e.type === "void" ? originals.get(e.target) : e,
        tz,
        (id) => conflicts.get(id) ?? "",
      );
      if (pending.length >= 1 << 16) {
        io.out(pending);
        pending = "";
      }
    });
    io.out(pending);
    return EXIT.ok;
  }
  throw new CliError("usage: quan journal verify | quan journal export [--format csv] [--no-bom]");
}

function instant(text: string, flag: string): number {
  const t = Date.parse(text);
  if (Number.isNaN(t) || !/(Z|[+-]\d\d:\d\d)$/.test(text))
    throw new CliError(`${flag}: "${text}" is not an instant (ISO 8601 with Z or an offset)`);
  return t;
}

function timezoneFromCache(dataDir: string): string | undefined {
  return readCachedTimezone(dataDir);
}
