import { join } from "node:path";
import { parseArgs } from "node:util";
import { journalToCsv, UTF8_BOM } from "../../runtime/ledger/csv-export.js";
import { entryOf, type JournalEntry } from "../../runtime/ledger/records.js";
import { readCachedTimezone } from "../../runtime/store/cache-info.js";
import { readJournal, verifyJournal } from "../../runtime/store/journal.js";
import { resolveConfig } from "../cli-config.js";
import { CliError, EXIT, type Io } from "../cli-error.js";

/**
 * quan journal verify | quan journal export [--format csv] [--no-bom] [--from ISO] [--to ISO] [--tz ZONE]
 * Both only read the journal, so they are safe while the terminal is running.
 */
export function journalCommand(args: string[], io: Io): number {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      config: { type: "string" },
      data: { type: "string" },
      format: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      tz: { type: "string" },
      "no-bom": { type: "boolean" },
    },
  });
  const dataDir = values.data ?? resolveConfig(values, io).dataDir;
  const path = join(dataDir, "journal.log");
  if (sub === "verify") {
    const result = verifyJournal(path);
    if (!result.ok) {
      io.err(`${path}: line ${result.line} (byte ${result.offset}): ${result.problem}\n`);
      return EXIT.error;
    }
    io.out(`${path}: ${result.records} records, hash chain intact, last hash ${result.lastHash}\n`);
    if (result.torn)
      io.out(
        `note: the last line is incomplete (${result.torn.droppedBytes} bytes at byte ${result.torn.offset}); the next start cuts it away into journal.log.torn-${result.torn.offset}, or refuses to start if the counters snapshot says it was committed\n`,
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
    const entries: JournalEntry[] = readJournal(path).records.map(entryOf);
    const inRange = entries.filter((e) => {
      const t = Date.parse(e.at);
      return t >= from && t < to;
    });
    // A void in range needs its redemption even when that one is outside the range.
    const needed = new Set(
      inRange.filter((e) => e.type === "void").map((e) => (e.type === "void" ? e.target : "")),
    );
    const wanted = new Set<JournalEntry>(inRange);
    const rows = entries.filter((e) => wanted.has(e) || (e.type === "redeem" && needed.has(e.id)));
    const csv = journalToCsv(rows, tz, (e) => wanted.has(e));
    io.out(values["no-bom"] ? csv : `${UTF8_BOM}${csv}`);
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
