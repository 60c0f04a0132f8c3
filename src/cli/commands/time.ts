import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  DEFAULT_STATEMENT_VALIDITY_MS,
  MAX_STATEMENT_VALIDITY_MS,
  signTimeStatement,
  TimeStatementError,
} from "../../protocol/time-statement/index.js";
import { openStoreFor, resolveConfig } from "../cli-config.js";
import { CliError, EXIT, type Io } from "../cli-error.js";
import { terminalOptions } from "../common-options.js";
import { readSignedFile } from "./signed-file.js";

/** quan time sign ... (on the server) | quan time import FILE (on the terminal) */
export function timeCommand(args: string[], io: Io): number {
  const [sub, ...rest] = args;
  switch (sub) {
    case "sign":
      return sign(rest, io);
    case "import":
      return importStatement(rest, io);
    default:
      throw new CliError(
        "usage: quan time sign --key KEY --merchant ID [--at ISO] [--valid-minutes N] [--out FILE] | quan time import FILE",
      );
  }
}

/** quan time sign --key merchant.key --merchant ID [--at ISO] [--valid-minutes 60] [--out FILE] */
function sign(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      key: { type: "string" },
      merchant: { type: "string" },
      at: { type: "string" },
      "valid-minutes": { type: "string" },
      out: { type: "string" },
    },
  });
  if (!values.key || !values.merchant)
    throw new CliError(
      "usage: quan time sign --key merchant.key --merchant ID [--at ISO] [--valid-minutes N] [--out FILE]",
    );
  let instant = io.now();
  if (values.at !== undefined) {
    instant = Date.parse(values.at);
    if (!/(Z|[+-]\d\d:\d\d)$/.test(values.at) || Number.isNaN(instant))
      throw new CliError(`--at: "${values.at}" is not an instant (ISO 8601 with Z or an offset)`);
  }
  let validMs = DEFAULT_STATEMENT_VALIDITY_MS;
  if (values["valid-minutes"] !== undefined) {
    const minutes = Number(values["valid-minutes"]);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes * 60_000 > MAX_STATEMENT_VALIDITY_MS)
      throw new CliError(`--valid-minutes: 1 to ${MAX_STATEMENT_VALIDITY_MS / 60_000}`);
    validMs = minutes * 60_000;
  }
  const statement = signTimeStatement(values.merchant, instant, validMs, readFileSync(values.key, "utf8"));
  if (values.out) {
    writeFileSync(values.out, statement);
    io.err(
      `signed: it is ${new Date(instant).toISOString()}, valid until ${new Date(instant + validMs).toISOString()} -> ${values.out}\n`,
    );
  } else io.out(`${statement}\n`);
  return EXIT.ok;
}

/** quan time import FILE: verify a signed time statement and set the terminal's trusted time. */
function importStatement(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...terminalOptions },
  });
  const file = positionals[0];
  if (!file) throw new CliError("usage: quan time import STATEMENT.json [--config FILE] [--data DIR]");
  const text = readSignedFile(file);
  const store = openStoreFor(resolveConfig(values, io), "write", io);
  try {
    const { previous, instant } = store.importTimeStatement(text, io.now());
    io.out(
      `trusted time set to ${new Date(instant).toISOString()} (was ${new Date(previous).toISOString()})\n`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof TimeStatementError) throw new CliError(`${file}: ${err.message}`, EXIT.rejected);
    throw err;
  } finally {
    store.close();
  }
}
