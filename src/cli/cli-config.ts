import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { clockIsSynchronized } from "../runtime/clock/clock-sync.js";
import { loadConfigFile } from "../runtime/config/load.js";
import type { Config } from "../runtime/config/schema.js";
import { type Logger, silentLogger } from "../runtime/log.js";
import type { CouponStore } from "../runtime/store/coupon-store.js";
import { DataDirLockedError } from "../runtime/store/data-dir-lock.js";
import { openStoreFromConfig } from "../runtime/store/store-from-config.js";
import { CliError, EXIT, type Io } from "./cli-error.js";

export const DEFAULT_CONFIG_PATH = "/etc/quan/config.json";

/** --config FILE, else $QUAN_CONFIG, else /etc/quan/config.json; --data DIR overrides dataDir. */
export function resolveConfig(
  values: { config?: string | undefined; data?: string | undefined },
  io: Io,
): Config {
  const file = values.config ?? io.env.QUAN_CONFIG ?? DEFAULT_CONFIG_PATH;
  if (!values.config && !io.env.QUAN_CONFIG && !existsSync(file)) {
    throw new CliError(
      `no configuration: pass --config FILE or set QUAN_CONFIG (looked for ${DEFAULT_CONFIG_PATH})`,
    );
  }
  const config = loadConfigFile(file, io.env);
  // As any command-line path: relative to the current directory (the config's dataDir is absolute).
  if (values.data) config.dataDir = resolve(values.data);
  return config;
}

export function openStoreFor(config: Config, mode: "write" | "read-only" = "write", io?: Io): CouponStore {
  return openStoreFromConfig(
    config,
    io ? cliLogger(io) : silentLogger(),
    mode,
    io ? clockSynchronizedFor(io) : clockIsSynchronized,
  );
}

/** Whether the clock is NTP-synchronised, as this invocation finds out (tests tell it). */
export function clockSynchronizedFor(io: Io): () => boolean {
  return io.clockSynchronized ?? (() => clockIsSynchronized());
}

/**
 * Opens the store for writing; while another process (the running terminal) holds the data
 * directory, retries until `--wait SECONDS` have passed, then gives up with DataDirLockedError.
 */
export async function openStoreWaiting(
  config: Config,
  io: Io,
  waitText: string | undefined,
): Promise<CouponStore> {
  const waitMs = waitText === undefined ? 0 : parseWait(waitText);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return openStoreFor(config, "write", io);
    } catch (err) {
      if (!(err instanceof DataDirLockedError)) throw err;
      const left = deadline - Date.now();
      if (left <= 0) {
        if (waitMs === 0) throw err;
        throw new DataDirLockedError(err.dir, err.holder, `${err.message} (waited ${waitText} s)`);
      }
      await sleep(Math.min(100, left));
    }
  }
}

const MAX_WAIT_SECONDS = 3600;

function parseWait(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds > MAX_WAIT_SECONDS)
    throw new CliError(
      `--wait: "${text}" is not a number of seconds from 0 to ${MAX_WAIT_SECONDS}`,
      EXIT.usage,
    );
  return seconds * 1000;
}

/** The store's warnings (a snapshot that could not be written, a torn journal tail) on stderr. */
function cliLogger(io: Io): Logger {
  return pino(
    { level: "warn", base: null, timestamp: false },
    { write: (line: string) => io.err(`quan: warning: ${(JSON.parse(line) as { msg: string }).msg}\n`) },
  );
}
