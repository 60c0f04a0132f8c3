import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DevicePrinter } from "../../drivers/printer/device-printer.js";
import { TcpPrinter } from "../../drivers/printer/tcp-printer.js";
import { ConfigError } from "../../runtime/config/load.js";
import type { Config } from "../../runtime/config/schema.js";
import { verifyEnvelope } from "../../runtime/coupons/signing.js";
import { silentLogger } from "../../runtime/log.js";
import { CouponStore, LEGACY_CACHE_FILE, LIST_DIR } from "../../runtime/store/coupon-store.js";
import { readJournal } from "../../runtime/store/journal.js";
import { ListCache } from "../../runtime/store/list-cache/list-cache.js";
import { TABLE_FILE } from "../../runtime/store/list-cache/table-file.js";
import { resolveConfig } from "../cli-config.js";
import { EXIT, type Io } from "../cli-error.js";
import { checkClock } from "./doctor-clock.js";

type Level = "ok" | "warn" | "fail";
interface Finding {
  level: Level;
  what: string;
  detail: string;
}

/**
 * quan doctor [--config FILE]: everything a technician checks on a terminal, read-only, with the
 * fix for each problem. Safe while the terminal runs.
 */
export async function doctorCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: "string" }, data: { type: "string" } } });
  const findings: Finding[] = [];
  let config: Config | undefined;
  try {
    config = resolveConfig(values, io);
    findings.push({
      level: "ok",
      what: "config",
      detail: `terminal ${config.terminal.id}, store ${config.terminal.store}, merchant ${config.merchant.id}`,
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // One line per problem, named like `config check` names them.
    for (const problem of err.problems)
      findings.push({ level: "fail", what: "config", detail: `${err.file}: ${problem}` });
  }
  if (config) findings.push(...checkTerminal(config, io.now()), ...(await checkPrinter(config)));
  for (const f of findings)
    io.out(`${f.level === "ok" ? "ok  " : f.level === "warn" ? "WARN" : "FAIL"}  ${f.what}: ${f.detail}\n`);
  const failed = findings.filter((f) => f.level === "fail").length;
  io.out(
    failed ? `\n${failed} problem(s) must be fixed before this terminal can redeem coupons.\n` : "\nready.\n",
  );
  // A configuration that does not load is bad usage, as for `config check`.
  return !config ? EXIT.usage : failed ? EXIT.error : EXIT.ok;
}

/** Asks a real printer for its status (paper, online), as the terminal does before each receipt. */
async function checkPrinter(config: Config): Promise<Finding[]> {
  const p = config.printer;
  if (p.kind !== "device" && p.kind !== "tcp") return [];
  const printer =
    p.kind === "device"
      ? new DevicePrinter({ path: p.path as string })
      : new TcpPrinter({ host: p.host as string, port: p.port });
  const where = p.kind === "device" ? p.path : `${p.host}:${p.port}`;
  const status = await printer.status();
  if (!status.online)
    return [
      {
        level: "fail",
        what: "printer",
        detail: `${where}: ${status.detail ?? "offline"}${status.paper === "out" ? " (out of paper)" : ""}`,
      },
    ];
  if (status.paper !== "ok")
    return [{ level: "warn", what: "printer", detail: `${where}: paper ${status.paper}` }];
  return [{ level: "ok", what: "printer", detail: `${where}: online, paper ok` }];
}

function checkTerminal(config: Config, now: number): Finding[] {
  const out: Finding[] = [];
  const dir = config.dataDir;
  try {
    if (!existsSync(dir)) {
      out.push({
        level: "warn",
        what: "data directory",
        detail: `${dir} does not exist yet; it is created at first start`,
      });
      return out;
    }
    accessSync(dir, constants.W_OK);
    out.push({ level: "ok", what: "data directory", detail: `${dir} is writable` });
  } catch (err) {
    out.push({
      level: "fail",
      what: "data directory",
      detail: `${dir}: ${(err as Error).message} (the service user needs write access)`,
    });
    return out;
  }

  const journalPath = join(dir, "journal.log");
  try {
    const { records, torn } = readJournal(journalPath);
    out.push({ level: "ok", what: "journal", detail: `${records.length} records, hash chain intact` });
    if (torn)
      out.push({
        level: "warn",
        what: "journal",
        detail: `a torn last record (${torn.droppedBytes} bytes at byte ${torn.offset}): the next start cuts it away into journal.log.torn-${torn.offset}, or refuses to start if the counters snapshot says it was committed`,
      });
  } catch (err) {
    out.push({ level: "fail", what: "journal", detail: (err as Error).message });
  }

  out.push(checkCouponList(config, now));
  out.push(checkClock(config, now));
  if (!config.void.managerPin)
    out.push({
      level: "warn",
      what: "voids",
      detail: "void.managerPin is not set: voids are refused (set it with `quan pin hash`)",
    });
  if (config.printer.kind === "file") {
    // Resolved as the terminal resolves it: an absolute printer.dir stands on its own.
    const receipts = resolve(dir, config.printer.dir);
    out.push({
      level: "ok",
      what: "printer",
      detail: `receipts written to ${receipts}${existsSync(receipts) && statSync(receipts).isDirectory() ? "" : " (created at first print)"}`,
    });
  }
  return out;
}

interface ListFacts {
  version: number;
  issuedAt: string;
  merchant: string;
  codes: number;
  where: string;
}

/**
 * The list in force, re-verified in full against the pinned key: every signed document the cache
 * was built from, and the table rebuilt from them byte for byte (a second or so for a million
 * codes; the daemon's start only checks the table's own hash).
 */
function checkCouponList(config: Config, now: number): Finding {
  const dir = config.dataDir;
  const legacyFile = join(dir, LEGACY_CACHE_FILE);
  const hasTable = existsSync(join(dir, LIST_DIR, TABLE_FILE));
  if (!hasTable && !existsSync(legacyFile))
    return {
      level: "fail",
      what: "coupon list",
      detail: "none installed: import one with `quan coupons import FILE` or wait for the server to push one",
    };
  let facts: ListFacts;
  try {
    facts = hasTable ? verifiedCache(config) : legacyFacts(legacyFile, config.merchant.publicKey);
  } catch (err) {
    return {
      level: "fail",
      what: "coupon list",
      detail: `${(err as Error).message} (was merchant.publicKey changed? import a list signed with the new key)`,
    };
  }
  const ageHours = (now - Date.parse(facts.issuedAt)) / 3_600_000;
  const level: Level = facts.merchant !== config.merchant.id ? "fail" : ageHours > 72 ? "warn" : "ok";
  return {
    level,
    what: "coupon list",
    detail: `version ${facts.version}, ${facts.codes} codes, issued ${facts.issuedAt} (${ageHours.toFixed(1)} h ago)${facts.where}${level === "warn" ? ": older than 3 days, is the server reachable?" : ""}`,
  };
}

function verifiedCache(config: Config): ListFacts {
  const log = silentLogger();
  const problems = CouponStore.verifyList(config.dataDir, config.merchant, log);
  if (problems.length)
    throw new Error(`the cached list does not hold up against the merchant key: ${problems.join("; ")}`);
  const cache = ListCache.open(join(config.dataDir, LIST_DIR), config.merchant, log, "reader");
  if (!cache) throw new Error("the list cache vanished while it was checked");
  try {
    const { shell } = cache;
    return {
      version: shell.version,
      issuedAt: shell.issuedAt,
      merchant: shell.merchant,
      codes: cache.codes.size,
      where: ", signatures and table re-verified",
    };
  } finally {
    cache.close();
  }
}

/** A data dir not yet opened since the upgrade: the list is still in the old coupons.json. */
function legacyFacts(file: string, publicKey: string): ListFacts {
  const cache = JSON.parse(readFileSync(file, "utf8")) as { envelope: unknown };
  const head = JSON.parse(verifyEnvelope(cache.envelope, publicKey)) as Omit<ListFacts, "codes" | "where"> & {
    codes: unknown[];
  };
  return {
    ...head,
    codes: head.codes.length,
    where: `; still in the old ${LEGACY_CACHE_FILE}, moved to the compact cache at the next start`,
  };
}
