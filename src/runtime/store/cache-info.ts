import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { parseHeader, parseMeta, TABLE_FILE } from "./list-cache/table-file.js";

/**
 * The store timezone of the cached coupon list, read without opening the store (no lock): from
 * the list table's JSON part (deltas cannot change the timezone), or from the old coupons.json of
 * a data dir not yet migrated.
 */
export function readCachedTimezone(dataDir: string): string | undefined {
  const table = join(dataDir, "list", TABLE_FILE);
  if (existsSync(table)) return (tableMeta(table) as { shell?: { timezone?: string } }).shell?.timezone;
  const legacy = join(dataDir, "coupons.json");
  if (!existsSync(legacy)) return undefined;
  const cache = JSON.parse(readFileSync(legacy, "utf8")) as { envelope?: { document?: string } | null };
  const document = cache.envelope?.document;
  if (!document) return undefined;
  const tz = /"timezone"\s*:\s*"([^"]+)"/.exec(document.slice(0, 4096))?.[1];
  return tz ?? (JSON.parse(document) as { timezone?: string }).timezone;
}

/** The JSON part of a list table (its header and meta only; the codes are not read). */
export function tableMeta(path: string): unknown {
  const fd = openSync(path, "r");
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    const layout = parseHeader(path, header, fstatSync(fd).size);
    const meta = Buffer.alloc(layout.metaBytes);
    readSync(fd, meta, 0, layout.metaBytes, layout.metaAt);
    return parseMeta(path, meta);
  } finally {
    closeSync(fd);
  }
}
