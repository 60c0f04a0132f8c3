import { ConfigError } from "../runtime/config/load.js";
import { packageVersion } from "../runtime/package-version.js";
import { DataDirLockedError } from "../runtime/store/data-dir-lock.js";
import { CliError, EXIT, type Io } from "./cli-error.js";

const USAGE = `quan — coupon-redemption terminal

  quan start [--config FILE] [--demo]       run the terminal (--demo: everything embedded)
  quan keys generate [--out DIR]            merchant signing key pair
  quan coupons sign --key KEY LIST.json     sign a coupon list
  quan coupons import SIGNED.json           verify and install a signed list (live, if the terminal runs)
  quan coupons check --code C --amount 128.50 [--code C2] [--at ISO] [--member ID] [--store S] [--json]
  quan coupons verify                       re-verify the cached list against the merchant key
  quan redeem  (same options as check) [--wait SECONDS]
                                            commit at the clock, for the terminal's own store
                                            (no --at, no --store; --wait: for a
                                            data directory in use)
  quan void ID [--pin PIN] [--wait SECONDS] void a redemption (compensating record); without
                                            --pin (or --pin -) the PIN is read from stdin
  quan time sign --key KEY --merchant ID [--at ISO] [--valid-minutes N]   signed time statement
  quan time import STATEMENT.json           set the trusted time from a signed time statement
  quan journal verify                       check every record and the hash chain
  quan journal export [--format csv] [--no-bom]
                                            reconciliation export (UTF-8 with a BOM for Excel/WPS)
  quan config check FILE | config schema    validate a config / print its JSON Schema
  quan pin hash PIN                         hash a manager PIN for the config
  quan doctor [--config FILE]               check a terminal's config, data, list, clock
  quan merchant serve --config MERCHANT.json   the reference merchant service (MQTT)
  quan merchant export|conflicts|terminals --config MERCHANT.json
                                            its reconciliation CSV (every terminal), conflicts, terminals
  quan merchant command --config M --store S --terminal T report-status|resync-list|print-test-page
                                            a signed command to one terminal; waits for its answer
  quan broker acl --merchant ID [--base quan/v1]   a Mosquitto ACL confining each terminal to its topics
  quan --version                            the installed version

  Common: --config FILE (default $QUAN_CONFIG or /etc/quan/config.json), --data DIR.
  Exit codes: 0 ok, 1 error, 2 bad usage or config, 3 refused (coupon rejected, list refused, void refused),
              4 data directory in use (the terminal is running; stop it or use --wait).
`;

type Command = (args: string[], io: Io) => number | Promise<number>;

// Loaded on demand: `quan coupons check` should not load the display and device drivers.
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import("./commands/start.js")).startCommand,
  keys: async () => (await import("./commands/keys.js")).keysCommand,
  coupons: async () => (await import("./commands/coupons.js")).couponsCommand,
  redeem: async () => (await import("./commands/redeem.js")).redeemCommand,
  void: async () => (await import("./commands/redeem.js")).voidCommand,
  time: async () => (await import("./commands/time.js")).timeCommand,
  journal: async () => (await import("./commands/journal.js")).journalCommand,
  config: async () => (await import("./commands/config.js")).configCommand,
  pin: async () => (await import("./commands/config.js")).pinCommand,
  doctor: async () => (await import("./commands/doctor.js")).doctorCommand,
  merchant: async () => (await import("./commands/merchant.js")).merchantCommand,
  broker: async () => (await import("./commands/broker.js")).brokerCommand,
};

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.out(USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === "--version" || name === "-v") {
    io.out(`quan ${packageVersion()}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`quan: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const command = await load();
    const code = await command(args, io);
    const failure = await io.outputFailure?.();
    return failure ? afterOutputFailure(name, args, code, failure, io) : code;
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`quan ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof DataDirLockedError) {
      const wait = name === "redeem" || name === "void" ? ", or pass --wait SECONDS" : "";
      io.err(
        `quan ${name}: ${err.message}: the terminal is running; stop it first (\`systemctl stop quan\`)${wait}\n`,
      );
      return EXIT.busy;
    }
    if (err instanceof ConfigError) {
      io.err(`quan ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      io.err(`quan ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    io.err(`quan ${name}: ${inTechniciansWords(err as Error)}\n`);
    return EXIT.error;
  }
}

/** A system error's raw text ("ENOSPC: no space left on device, write") as a technician acts on it. */
function inTechniciansWords(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOSPC")
    return `the disk is full (ENOSPC), there is no room to write: free space on the data directory's disk (\`df -h\`, \`quan doctor\`), then run it again`;
  return err.message;
}

/** The commands that change the terminal's data: once they have, their exit code says so. */
function commits(name: string, args: string[]): boolean {
  return (
    name === "redeem" || name === "void" || ((name === "coupons" || name === "time") && args[0] === "import")
  );
}

/**
 * stdout could not be written (`> /dev/full`, a disk full). After a commit the exit code stays
 * the commit's, or a script would retry and spend a multi-use code twice; a read-only command
 * failed at its one job.
 */
function afterOutputFailure(name: string, args: string[], code: number, failure: Error, io: Io): number {
  const what = `quan ${name}: could not write the output (${failure.message})`;
  if (!commits(name, args)) {
    io.err(`${what}\n`);
    return EXIT.error;
  }
  io.err(
    code === EXIT.ok
      ? `${what}; what it did is committed: do not run it again (exit ${code})\n`
      : `${what}; exit ${code}\n`,
  );
  return code;
}

function processIo(): Io {
  const out = writerTo(process.stdout);
  return {
    out: out.write,
    err: writerTo(process.stderr).write,
    env: process.env,
    now: () => Date.now(),
    outputFailure: out.failure,
    stdin: () => firstLine(process.stdin),
  };
}

/** Up to the first end of line (a terminal does not end its input), or all of it. */
async function firstLine(stream: NodeJS.ReadStream): Promise<string> {
  if (stream.isTTY) process.stderr.write("manager PIN: ");
  let text = "";
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes("\n")) break;
  }
  return text;
}

/**
 * A reader that went away (`quan doctor | head -1`, `quan redeem ... | true`) is not the command's
 * failure: further output is dropped and the exit code stays the command's own. Any other write
 * error (ENOSPC, EIO) is kept for `failure()`, which main reports in one line once the command ends.
 */
function writerTo(stream: NodeJS.WriteStream): {
  write: (text: string) => void;
  failure: () => Promise<Error | null>;
} {
  let readerGone = false;
  let failed: Error | null = null;
  let pending: Promise<void> = Promise.resolve();
  const note = (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") readerGone = true;
    else failed ??= err;
  };
  stream.on("error", note);
  return {
    write(text) {
      if (readerGone || failed) return;
      pending = new Promise((settled) => {
        try {
          stream.write(text, (err) => {
            if (err) note(err);
            settled();
          });
        } catch (err) {
          note(err as NodeJS.ErrnoException);
          settled();
        }
      });
    },
    async failure() {
      await pending;
      return failed;
    },
  };
}
