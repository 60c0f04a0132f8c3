import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEMO_BROKER_PORT, prepareDemo } from "../../runtime/demo/demo-setup.js";
import { runTerminal } from "../../runtime/terminal.js";
import { resolveConfig } from "../cli-config.js";
import { CliError, EXIT, type Io } from "../cli-error.js";
import { terminalOptions } from "../common-options.js";

/**
 * quan start --config FILE: the terminal daemon.
 * quan start --demo [--fresh] [--locale en]: the whole terminal with everything embedded
 * (what `npm start` runs): demo key, demo list, receipts to files, the keyboard as keypad and scanner.
 */
export async function startCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...terminalOptions,
      demo: { type: "boolean" },
      fresh: { type: "boolean" },
      locale: { type: "string" },
      terminal: { type: "string" },
    },
  });
  if (values.locale !== undefined && values.locale !== "zh-CN" && values.locale !== "en") {
    throw new CliError(`--locale: expected zh-CN or en, got "${values.locale}"`);
  }
  const locale = values.locale as "zh-CN" | "en" | undefined;
  if (values.demo) {
    const demoDir = resolve(io.env.QUAN_DEMO_DIR ?? ".quan-demo");
    const demo = prepareDemo(demoDir, io.now(), {
      fresh: values.fresh ?? false,
      ...(locale ? { locale } : {}),
      terminal: demoTerminal(values.terminal),
      brokerPort: demoPort(io.env.QUAN_DEMO_PORT),
    });
    return runTerminal(demo.config, { io, demo });
  }
  if (values.terminal !== undefined)
    throw new CliError("--terminal: only with --demo (a real terminal's id is in its config)");
  const config = resolveConfig(values, io);
  if (locale) config.locale = locale;
  await runTerminal(config, { io });
  return EXIT.ok;
}

function demoTerminal(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^[1-9]$/.test(text))
    throw new CliError(`--terminal: expected a number from 1 to 9, got "${text.slice(0, 20)}"`);
  return Number(text);
}

function demoPort(text: string | undefined): number {
  if (text === undefined || text === "") return DEMO_BROKER_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1024 || port > 65535)
    throw new CliError(`QUAN_DEMO_PORT: expected a port from 1024 to 65535, got "${text.slice(0, 20)}"`);
  return port;
}
