import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CouponListError, couponListSchema } from "../../protocol/coupon-list/index.js";
import { signDocument } from "../../protocol/envelope/index.js";
import { formatIssues } from "../../protocol/issues.js";
import { ControlClientError, sendControlRequest } from "../../runtime/control/control-client.js";
import {
  type ControlResponse,
  controlSocketPath,
  type ImportListResult,
} from "../../runtime/control/protocol.js";
import { ulid } from "../../runtime/ids.js";
import { silentLogger } from "../../runtime/log.js";
import { CouponStore, LIST_DIR } from "../../runtime/store/coupon-store.js";
import { TABLE_FILE } from "../../runtime/store/list-cache/table-file.js";
import { openStoreFor, resolveConfig } from "../cli-config.js";
import { CliError, EXIT, type Io } from "../cli-error.js";
import { terminalOptions } from "../common-options.js";
import { basketArgs, basketFromArgs, printVerdict } from "./basket-args.js";
import { readSignedBytes } from "./signed-file.js";

export function couponsCommand(args: string[], io: Io): number | Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "sign":
      return sign(rest, io);
    case "import":
      return importList(rest, io);
    case "check":
      return check(rest, io);
    case "verify":
      return verify(rest, io);
    default:
      throw new CliError("usage: quan coupons sign|import|check|verify ...");
  }
}

/** quan coupons sign --key merchant.key FILE [--out signed.json] */
function sign(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { key: { type: "string" }, out: { type: "string" } },
  });
  const file = positionals[0];
  if (!values.key || !file)
    throw new CliError("usage: quan coupons sign --key merchant.key LIST.json [--out signed.json]");
  const text = readFileSync(file, "utf8");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = couponListSchema.safeParse(data);
  if (!parsed.success)
    throw new CliError(
      `${file}: not a valid coupon list:\n${formatIssues(parsed.error.issues)
        .slice(0, 30)
        .map((l) => `  - ${l}`)
        .join("\n")}`,
    );
  const envelope = JSON.stringify(signDocument(JSON.stringify(data), readFileSync(values.key, "utf8")));
  if (values.out) writeFileSync(values.out, envelope);
  else io.out(`${envelope}\n`);
  if (values.out)
    io.err(`signed version ${parsed.data.version} (${parsed.data.codes.length} codes) -> ${values.out}\n`);
  return EXIT.ok;
}

/**
 * quan coupons import SIGNED.json: handed to the running terminal over its control socket, which
 * verifies and swaps it in while it keeps trading; opened here when no terminal runs.
 */
async function importList(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...terminalOptions },
  });
  const file = positionals[0];
  if (!file) throw new CliError("usage: quan coupons import SIGNED.json [--config FILE] [--data DIR]");
  const bytes = readSignedBytes(file);
  const config = resolveConfig(values, io);
  const answer = await askTerminal(config.dataDir, bytes);
  if (answer) return reportImport(answer, file, io);
  const store = openStoreFor(config, "write", io);
  try {
    printImported(store.importList(bytes, io.now()), io);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CouponListError) throw new CliError(`${file}: ${err.message}`, EXIT.rejected);
    throw err;
  } finally {
    store.close();
  }
}

async function askTerminal(dataDir: string, list: Buffer): Promise<ControlResponse | null> {
  // No terminal, no request: the list as a string (and its JSON) would double the import's memory.
  if (!existsSync(controlSocketPath(dataDir))) return null;
  try {
    return await sendControlRequest(controlSocketPath(dataDir), {
      id: ulid(Date.now()),
      command: "import-list",
      list: list.toString("utf8"),
    });
  } catch (err) {
    if (err instanceof ControlClientError)
      throw new CliError(`the running terminal: ${err.message}`, EXIT.busy);
    throw err;
  }
}

/** The terminal's answer, with the same messages and exit codes as an import done here. */
function reportImport(answer: ControlResponse, file: string, io: Io): number {
  if (answer.ok) {
    printImported(answer.result, io);
    return EXIT.ok;
  }
  const { code, message } = answer.error;
  if (code === "refused" || code === "too_large") throw new CliError(`${file}: ${message}`, EXIT.rejected);
  throw new CliError(`the running terminal did not import ${file} (${code}): ${message}`, EXIT.error);
}

function printImported(result: ImportListResult, io: Io): void {
  io.out(
    result.status === "unchanged"
      ? `version ${result.version} is already in force\n`
      : `imported version ${result.version}: ${result.codes} codes\n`,
  );
}

function check(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: basketArgs });
  const config = resolveConfig(values, io);
  if (values.store) config.terminal.store = values.store;
  // A dry run: safe while the terminal is running, it takes no lock and writes nothing.
  const store = openStoreFor(config, "read-only", io);
  try {
    const { basket, now } = basketFromArgs(values, store, io);
    const verdict = store.check(basket, now);
    printVerdict(verdict, store, config.locale, values.json ?? false, io);
    return verdict.committable ? EXIT.ok : EXIT.rejected;
  } finally {
    store.close();
  }
}

/**
 * quan coupons verify [--config FILE] [--data DIR]: re-verifies the cached list against the pinned
 * merchant key (every signed document, then the table rebuilt from them, byte for byte). Reads
 * only, so it is safe while the terminal runs; exit 1 when the cache does not hold up.
 */
function verify(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { config: { type: "string" }, data: { type: "string" } } });
  const config = resolveConfig(values, io);
  if (!existsSync(join(config.dataDir, LIST_DIR, TABLE_FILE))) {
    io.err(
      `no coupon list in the compact cache in ${config.dataDir} (a data dir from before it is moved there at the next start)\n`,
    );
    return EXIT.error;
  }
  const problems = CouponStore.verifyList(config.dataDir, config.merchant, silentLogger());
  if (problems.length) {
    io.err(`coupon list cache in ${config.dataDir}: ${problems.length} problem(s):\n`);
    for (const p of problems) io.err(`  - ${p}\n`);
    io.err("re-import a signed list (`quan coupons import FILE`)\n");
    return EXIT.error;
  }
  io.out(`coupon list cache in ${config.dataDir}: signatures and table verified against the merchant key\n`);
  return EXIT.ok;
}
