import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CouponListInput } from "../../src/protocol/coupon-list/index.js";
import {
  generateMerchantKeys,
  type MerchantKeyPair,
  signDocument,
} from "../../src/protocol/envelope/index.js";
import { hashPin } from "../../src/runtime/config/pin.js";
import { silentLogger } from "../../src/runtime/log.js";
import { CouponStore, type CouponStoreOptions, LIST_DIR } from "../../src/runtime/store/coupon-store.js";
import { SALT } from "./coupon-fixtures.js";

export const MANAGER_PIN = "2468";
const PIN_HASH = hashPin(MANAGER_PIN);

type CampaignInput = CouponListInput["campaigns"][number];
type CodeInput = CouponListInput["codes"][number];

export interface StoreFixture {
  store: CouponStore;
  dir: string;
  keys: MerchantKeyPair;
  options: CouponStoreOptions;
  /** A signed list envelope (JSON text) for this fixture's merchant. */
  signList(campaigns: CampaignInput[], codes: CodeInput[], extra?: Partial<CouponListInput>): string;
  /** Closes and opens the store again on the same directory (a restart). */
  reopen(): CouponStore;
  cleanup(): void;
}

export function listDocument(
  campaigns: CampaignInput[],
  codes: CodeInput[],
  extra: Partial<CouponListInput> = {},
): CouponListInput {
  return {
    format: "quan.coupons/1",
    merchant: "m-test",
    version: 1,
    issuedAt: "2026-01-01T00:00:00Z",
    timezone: "Asia/Shanghai",
    currency: "CNY",
    memberSalt: SALT,
    campaigns,
    codes,
    ...extra,
  };
}

/** A real store in a temp directory, with a list signed by a fresh merchant key already imported. */
export function makeStore(
  campaigns: CampaignInput[],
  codes: CodeInput[],
  opts: { extra?: Partial<CouponListInput>; now?: number; options?: Partial<CouponStoreOptions> } = {},
): StoreFixture {
  const dir = mkdtempSync(join(tmpdir(), "quan-store-"));
  const keys = generateMerchantKeys();
  const options: CouponStoreOptions = {
    dataDir: dir,
    terminal: "T1",
    store: "S1",
    merchant: { id: "m-test", publicKey: keys.publicKey },
    clockToleranceMs: 5 * 60_000,
    voidWindowMs: 30 * 60_000,
    managerPinHash: PIN_HASH,
    log: silentLogger(),
    ...opts.options,
  };
  const signList = (c: CampaignInput[], k: CodeInput[], extra: Partial<CouponListInput> = {}) =>
    JSON.stringify(signDocument(JSON.stringify(listDocument(c, k, extra)), keys.privateKeyPem));
  const fixture: StoreFixture = {
    store: CouponStore.open(options),
    dir,
    keys,
    options,
    signList,
    reopen() {
      fixture.store.close();
      fixture.store = CouponStore.open(options);
      return fixture.store;
    },
    cleanup() {
      fixture.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  fixture.store.importList(
    signList(campaigns, codes, opts.extra),
    opts.now ?? Date.parse("2026-01-01T00:00:00Z"),
  );
  return fixture;
}

/**
 * The list cache of a data dir as one comparable value (each file's name and SHA-256), to show a
 * refused list changed nothing on disk.
 */
export function listCacheSnapshot(dataDir: string): string {
  const dir = join(dataDir, LIST_DIR);
  if (!existsSync(dir)) return "(no list cache)";
  return readdirSync(dir)
    .sort()
    .map(
      (name) =>
        `${name} ${createHash("sha256")
          .update(readFileSync(join(dir, name)))
          .digest("hex")}`,
    )
    .join("\n");
}
