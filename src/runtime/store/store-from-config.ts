import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import { CouponStore } from "./coupon-store.js";

/** The coupon store a configuration describes (the daemon and the CLI open it the same way). */
export function openStoreFromConfig(
  config: Config,
  log: Logger,
  mode: "write" | "read-only" = "write",
  /** Whether the clock is NTP-synchronised (the caller knows how to ask; the store may not). */
  clockSynchronized?: () => boolean,
): CouponStore {
  return (mode === "read-only" ? CouponStore.openReadOnly : CouponStore.open)({
    dataDir: config.dataDir,
    terminal: config.terminal.id,
    store: config.terminal.store,
    merchant: config.merchant,
    clockToleranceMs: config.clock.toleranceSeconds * 1000,
    maxAheadMs: config.clock.maxAheadHours * 3_600_000,
    voidWindowMs: config.void.windowMinutes * 60_000,
    ...(clockSynchronized ? { clockSynchronized } : {}),
    ...(config.void.managerPin ? { managerPinHash: config.void.managerPin } : {}),
    ...(config.link
      ? {
          offlinePolicy: {
            maxListAgeMs:
              config.link.offline.maxListAgeHours === null
                ? null
                : config.link.offline.maxListAgeHours * 3_600_000,
          },
        }
      : {}),
    log,
  });
}
