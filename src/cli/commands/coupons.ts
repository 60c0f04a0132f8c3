import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatIssues } from "../../runtime/config/load.js";
import { couponListSchema } from "../../runtime/coupons/list-schema.js";
import { CouponListError } from "../../runtime/coupons/list-verify.js";
import { signDocument } from "../../runtime/coupons/signing.js";
import { silentLogger } from "../../runtime/log.js";
import { CouponStore, LIST_DIR } from "../../runtime/store/coupon-store.js";
import { TABLE_FILE } from "../../runtime/store/list-cache/table-file.js";
import { openStoreFor, resolveConfig } from "../cli-config.js";
import { CliError, EXIT, type Io } from "../cli-error.js";
import { basketArgs, basketFromArgs, printVerdict } from "./basket-args.js";
import { readSignedBytes } from "./signed-file.js";

export function couponsCommand(args: string[], io: Io): number {
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

function importList(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: "string" }, data: { type: "string" } },
  });
  const file = positionals[0];
  if (!file) throw new CliError("usage: quan coupons import SIGNED.json [--config FILE] [--data DIR]");
  const bytes = readSignedBytes(file);
  const store = openStoreFor(resolveConfig(values, io), "write", io);
  try {
    const result = store.importList(bytes, io.now());
    io.out(
      result.status === "unchanged"
        ? `version ${result.version} is already in force\n`
        : `imported version ${result.version}: ${result.codes} codes\n`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CouponListError) throw new CliError(`${file}: ${err.message}`, EXIT.rejected);
    throw err;
  } finally {
    store.close();
  }
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
