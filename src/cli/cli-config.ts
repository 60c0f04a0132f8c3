import { existsSync } from "node:fs";
import { loadConfigFile } from "../runtime/config/load.js";
import type { Config } from "../runtime/config/schema.js";
import { silentLogger } from "../runtime/log.js";
import type { CouponStore } from "../runtime/store/coupon-store.js";
import { openStoreFromConfig } from "../runtime/store/store-from-config.js";
import { CliError, type Io } from "./cli-error.js";

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
  if (values.data) config.dataDir = values.data;
  return config;
}

export function openStoreFor(config: Config, mode: "write" | "read-only" = "write"): CouponStore {
  return openStoreFromConfig(config, silentLogger(), mode);
}
