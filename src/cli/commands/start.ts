import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { prepareDemo } from "../../runtime/demo/demo-setup.js";
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
    });
    return runTerminal(demo.config, { io, demo });
  }
  const config = resolveConfig(values, io);
  if (locale) config.locale = locale;
  await runTerminal(config, { io });
  return EXIT.ok;
}
