import { existsSync, readFileSync } from "node:fs";

/** The store timezone of the cached coupon list, read without opening the store (no lock). */
export function readCachedTimezone(cacheFile: string): string | undefined {
  if (!existsSync(cacheFile)) return undefined;
  const cache = JSON.parse(readFileSync(cacheFile, "utf8")) as { envelope?: { document?: string } | null };
  const document = cache.envelope?.document;
  if (!document) return undefined;
  const tz = /"timezone"\s*:\s*"([^"]+)"/.exec(document.slice(0, 4096))?.[1];
  return tz ?? (JSON.parse(document) as { timezone?: string }).timezone;
}
