import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateMerchantKeys, signDocument } from "../../protocol/envelope/index.js";
import { hashPin } from "../config/pin.js";
import { type Config, configSchema } from "../config/schema.js";
import { DEMO_MERCHANT, demoList } from "./demo-list.js";

export const DEMO_MANAGER_PIN = "0000";

export interface DemoSetup {
  config: Config;
  /** The signed demo list, to import at start (a harmless re-delivery when already in force). */
  signedList: string;
  dir: string;
}

/**
 * Everything `npm start` needs and nothing to configure: a demo data directory with its own
 * merchant key (generated once, kept beside the data), a config pinning that key, and a freshly
 * signed demo list. The key never leaves the demo directory.
 */
export function prepareDemo(
  dir: string,
  now: number,
  opts: { fresh?: boolean; locale?: "zh-CN" | "en" } = {},
): DemoSetup {
  const root = resolve(dir);
  if (opts.fresh) rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const keyFile = join(root, "demo-merchant.key");
  const pubFile = join(root, "demo-merchant.pub");
  if (!existsSync(keyFile)) {
    const keys = generateMerchantKeys();
    writeFileSync(keyFile, keys.privateKeyPem, { mode: 0o600 });
    writeFileSync(pubFile, `${keys.publicKey}\n`);
  }
  const publicKey = readFileSync(pubFile, "utf8").trim();
  const versionFile = join(root, "demo-list-version");
  const version = (existsSync(versionFile) ? Number(readFileSync(versionFile, "utf8")) : 0) + 1;
  writeFileSync(versionFile, String(version));
  const signedList = JSON.stringify(
    signDocument(JSON.stringify(demoList(now, version)), readFileSync(keyFile, "utf8")),
  );
  const config = configSchema.parse({
    terminal: { id: "DEMO-01", store: "S001", storeName: "好邻居便利店 Good Neighbour", cashier: "demo" },
    merchant: { id: DEMO_MERCHANT, publicKey },
    locale: opts.locale ?? "zh-CN",
    dataDir: join(root, "data"),
    void: { windowMinutes: 30, managerPin: hashPin(DEMO_MANAGER_PIN) },
    printer: { kind: "file", dir: join(root, "receipts"), paperWidth: 58 },
    // info: the log file is where the demo shows what the terminal did (the screen is the window).
    log: { level: "info" },
  });
  return { config, signedList, dir: root };
}
