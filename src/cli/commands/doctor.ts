import { accessSync, constants, existsSync, readdirSync, readFileSync, statfsSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DevicePrinter } from "../../drivers/printer/device-printer.js";
import { TcpPrinter } from "../../drivers/printer/tcp-printer.js";
import { verifyEnvelope } from "../../protocol/envelope/index.js";
import { ConfigError } from "../../runtime/config/load.js";
import type { Config } from "../../runtime/config/schema.js";
import { silentLogger } from "../../runtime/log.js";
import { readCommitEvidence } from "../../runtime/store/commit-evidence.js";
import { CouponStore, LEGACY_CACHE_FILE, LIST_DIR } from "../../runtime/store/coupon-store.js";
import { dataDirHolder } from "../../runtime/store/data-dir-lock.js";
import { tornTailDamage } from "../../runtime/store/journal.js";
import { journalFiles, walkJournal } from "../../runtime/store/ledger/segments.js";
import { ListCache } from "../../runtime/store/list-cache/list-cache.js";
import { TABLE_FILE } from "../../runtime/store/list-cache/table-file.js";
import { clockSynchronizedFor, resolveConfig } from "../cli-config.js";
import { EXIT, type Io } from "../cli-error.js";
import { terminalOptions } from "../common-options.js";
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
  const { values } = parseArgs({ args, options: { ...terminalOptions } });
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
  if (config)
    findings.push(
      ...checkTerminal(config, io.now(), clockSynchronizedFor(io)()),
      ...(await checkPrinter(config)),
    );
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
      ? new DevicePrinter({ path: p.path })
      : new TcpPrinter({ host: p.host, port: p.port });
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

function checkTerminal(config: Config, now: number, synchronized: boolean): Finding[] {
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
    out.push(checkFreeSpace(dir));
    const holder = dataDirHolder(dir);
    out.push({
      level: "ok",
      what: "terminal",
      detail:
        holder === null
          ? "not running (nothing holds the data directory)"
          : `running (process ${holder} holds the data directory): redeem, void and imports wait for it or need \`systemctl stop quan\``,
    });
  } catch (err) {
    out.push({
      level: "fail",
      what: "data directory",
      detail: `${dir}: ${(err as Error).message} (the service user needs write access)`,
    });
    return out;
  }

  try {
    let records = 0;
    const { torn, segments, last } = walkJournal(dir, () => records++);
    const lastSegment = journalFiles(dir).at(-1)?.path ?? join(dir, "journal");
    // The decision the terminal makes when it opens the journal, not a copy of it.
    const damage = tornTailDamage(lastSegment, torn, last.seq, readCommitEvidence(dir));
    if (damage) out.push({ level: "fail", what: "journal", detail: damage.message });
    else {
      out.push({
        level: "ok",
        what: "journal",
        detail: `${records} records in ${segments} segment(s), hash chain intact`,
      });
      if (torn)
        out.push({
          level: "warn",
          what: "journal",
          detail: `a torn last record (${torn.droppedBytes} bytes at byte ${torn.offset} of ${lastSegment}): a write that never completed; the next start sets it aside into a .torn-${torn.offset} file beside it`,
        });
    }
  } catch (err) {
    out.push({ level: "fail", what: "journal", detail: (err as Error).message });
  }
  out.push(...setAsideTails(dir));

  out.push(checkCouponList(config, now, synchronized));
  out.push(checkClock(config, now, synchronized));
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
function checkCouponList(config: Config, now: number, synchronized: boolean): Finding {
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
  const ahead = -ageHours * 3_600_000 > config.clock.toleranceSeconds * 1000;
  const level: Level =
    facts.merchant !== config.merchant.id ? "fail" : ageHours > 72 || ahead ? "warn" : "ok";
  const issued = `version ${facts.version}, ${facts.codes} codes, issued ${facts.issuedAt}`;
  return {
    level,
    what: "coupon list",
    detail: ahead
      ? `${issued}${facts.where}: ${listAhead(-ageHours, synchronized)}`
      : `${issued} (${ageHours.toFixed(1)} h ago)${facts.where}${level === "warn" ? ": older than 3 days, is the server reachable?" : ""}`,
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

/** A list dated ahead of the clock: which clock is wrong, and what to do, depends on NTP. */
function listAhead(hours: number, synchronized: boolean): string {
  const span = `${hours >= 1 ? Math.round(hours) : (hours * 60).toFixed(0)} ${hours >= 1 ? "h" : "min"}`;
  return synchronized
    ? `the server's clock is ${span} ahead of this terminal's NTP-synchronised clock; the list is in force but its date is not taken as the time. Fix the server's clock (NTP on the server)`
    : `dated ${span} ahead of this terminal's clock, which is not NTP synchronised: until the clock catches up the terminal's time is the list's date (time-limited coupons, redemption times and the void window follow it). Set the clock (\`timedatectl set-ntp true\`, a network with NTP), or on the server \`quan time sign\` and here \`quan time import\`; if the server's clock is wrong, fix it`;
}

/**
 * Torn last records the terminal set aside at start (journal/NNNNNN.log.torn-*, or journal.log.torn-*
 * from before segments): each was a redemption or
 * void being written when the power went; it never counted. The owner reconciles it with the
 * customer's receipt, then deletes the file.
 */
function setAsideTails(dir: string): Finding[] {
  const segmentDir = join(dir, "journal");
  const inDir = (d: string) =>
    existsSync(d)
      ? readdirSync(d)
          .filter((n) => /\.log\.torn-\d+/.test(n))
          .map((n) => join(d, n))
      : [];
  return [...inDir(dir), ...inDir(segmentDir)].sort().map((path) => {
    const name = relative(dir, path);
    const text = readFileSync(path, "latin1");
    const id = /"id":"([0-9A-Za-z]{1,40})"/.exec(text)?.[1];
    const type = /"type":"(redeem|void)"/.exec(text)?.[1];
    const codes = [...text.matchAll(/"code":"([^"\\]{1,64})"/g)].map((m) => m[1]);
    const holds =
      id || codes.length
        ? `holds ${type ?? "a record"}${id ? ` ${id}` : ""}${codes.length ? ` (codes ${codes.join(", ")})` : ""}`
        : "holds nothing readable";
    return {
      level: "warn" as const,
      what: "journal",
      detail: `${name} (${Buffer.byteLength(text, "latin1")} bytes) ${holds}: a record cut short by a power cut and set aside at start; it was never committed and its coupons were not spent. Check it against the customer's receipt, then delete the file`,
    };
  });
}

/** Below this the journal, the state writes and the logs may soon have no room. */
const LOW_DISK_BYTES = 50 * 1024 * 1024;

function checkFreeSpace(dir: string): Finding {
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const mb = (free / 1024 / 1024).toFixed(1);
  if (free < LOW_DISK_BYTES)
    return {
      level: "warn",
      what: "disk",
      detail: `${mb} MB free for ${dir}, less than 50 MB: when it is full no redemption can be committed; free space (old logs: \`journalctl --vacuum-size=50M\`, old receipts)`,
    };
  return { level: "ok", what: "disk", detail: `${mb} MB free` };
}
