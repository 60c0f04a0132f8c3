import { parseArgs } from "node:util";
import { ConfigError, loadConfigFile } from "../../runtime/config/load.js";
import { hashPin } from "../../runtime/config/pin.js";
import { configJsonSchema } from "../../runtime/config/schema.js";
import { CliError, EXIT, type Io } from "../cli-error.js";

/** quan config check FILE | quan config schema */
export function configCommand(args: string[], io: Io): number {
  const [sub, ...rest] = args;
  if (sub === "schema") {
    io.out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return EXIT.ok;
  }
  if (sub !== "check") throw new CliError("usage: quan config check FILE | quan config schema");
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file) throw new CliError("usage: quan config check FILE");
  try {
    const config = loadConfigFile(file, io.env);
    io.out(
      `${file}: valid (terminal ${config.terminal.id}, store ${config.terminal.store}, merchant ${config.merchant.id})\n`,
    );
    if (!config.void.managerPin) io.out("note: void.managerPin is not set, so voids will be refused\n");
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.located().join("\n")}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}

/** quan pin hash PIN: the value for void.managerPin. */
export function pinCommand(args: string[], io: Io): number {
  const [sub, pin] = args;
  if (sub !== "hash" || !pin) throw new CliError("usage: quan pin hash PIN");
  try {
    io.out(`${hashPin(pin)}\n`);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  return EXIT.ok;
}
