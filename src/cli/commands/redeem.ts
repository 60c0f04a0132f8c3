import { parseArgs } from "node:util";
import { ManagerPinError, VoidError } from "../../runtime/store/ledger-port.js";
import { openStoreWaiting, resolveConfig } from "../cli-config.js";
import { CliError, EXIT, type Io } from "../cli-error.js";
import { jsonOption, terminalOptions } from "../common-options.js";
import { basketArgs, basketFromArgs, printVerdict } from "./basket-args.js";

/** quan redeem: like `coupons check`, but commits (fsynced to the journal) when every coupon is accepted. */
export async function redeemCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { ...basketArgs, wait: { type: "string" } } });
  refuseAt(values.at, "redeem");
  // A campaign's store restriction holds for the store this terminal is in, never one typed here.
  if (values.store !== undefined)
    throw new CliError(
      "--store is only for a dry run (`quan coupons check --store S`): redeem commits for the terminal's own store (terminal.store in the config)",
    );
  const config = resolveConfig(values, io);
  const store = await openStoreWaiting(config, io, values.wait);
  try {
    const { basket, now } = basketFromArgs(values, store, io);
    const result = store.redeem(basket, now, values.cashier ?? config.terminal.cashier);
    printVerdict(
      result.verdict,
      store,
      config.locale,
      values.json ?? false,
      io,
      result.committed ? { committed: true, redemption: result.entry.id } : { committed: false },
    );
    return result.committed ? EXIT.ok : EXIT.rejected;
  } finally {
    store.close();
  }
}

/** quan void ID --pin PIN [--wait SECONDS] */
export async function voidCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      pin: { type: "string" },
      cashier: { type: "string" },
      at: { type: "string" },
      ...terminalOptions,
      ...jsonOption,
      wait: { type: "string" },
    },
  });
  const id = positionals[0];
  if (!id) throw new CliError("usage: quan void REDEMPTION_ID [--pin PIN | --pin - (stdin, the default)]");
  refuseAt(values.at, "void");
  const pin = values.pin === undefined || values.pin === "-" ? await pinFromStdin(io) : values.pin;
  const config = resolveConfig(values, io);
  const store = await openStoreWaiting(config, io, values.wait);
  try {
    const now = io.now();
    const entry = store.voidRedemption(id, now, values.cashier ?? config.terminal.cashier, pin);
    io.out(values.json ? `${JSON.stringify(entry)}\n` : `voided ${id} (void ${entry.id})\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof VoidError)
      throw new CliError(`void refused (${err.reason}): ${err.message}`, EXIT.rejected);
    // The store's message says how long manager actions are locked, in the store's time zone.
    if (err instanceof ManagerPinError)
      throw new CliError(`void refused (${err.reason}): ${err.message}`, EXIT.rejected);
    throw err;
  } finally {
    store.close();
  }
}

/** The PIN's first line on stdin (`--pin PIN` would show it in `ps` and the shell's history). */
async function pinFromStdin(io: Io): Promise<string> {
  const line = ((await io.stdin?.()) ?? "").split("\n")[0]?.replace(/\r$/, "") ?? "";
  if (!line)
    throw new CliError(
      "no manager PIN on stdin: pipe it in (`quan void ID < pin-file`, or type it and press Enter) or pass --pin PIN",
    );
  return line;
}

/**
 * `--at` is a dry-run tool: a commit happens now, at the terminal's clock. Taking an instant from
 * the command line would let anyone backdate a void past its window or date a redemption in 2099.
 */
function refuseAt(at: string | undefined, command: string): void {
  if (at !== undefined)
    throw new CliError(
      `--at is only for a dry run (\`quan coupons check --at ISO\`): ${command} commits at the terminal's clock`,
    );
}
