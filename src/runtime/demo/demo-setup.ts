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
  /** With the link: the broker and merchant service this process hosts unless another demo does. */
  services?: DemoServices;
}

export interface DemoServices {
  brokerPort: number;
  merchantDir: string;
  /** The demo merchant's private key (PKCS#8 PEM), which the demo merchant service signs with. */
  keyFile: string;
}

/** The loopback port of the demo's embedded broker (QUAN_DEMO_PORT overrides it). */
export const DEMO_BROKER_PORT = 18830;

/**
 * Everything `npm start` needs and nothing to configure: a demo data directory with its own
 * merchant key (generated once, kept beside the data), a config pinning that key, and a freshly
 * signed demo list. The key never leaves the demo directory.
 */
export function prepareDemo(
  dir: string,
  now: number,
  opts: {
    fresh?: boolean;
    locale?: "zh-CN" | "en";
    /** Terminal 1, 2, ...: each its own id and data directory, one shop, one merchant key and list. */
    terminal?: number;
    /** Report to the demo merchant over the demo's embedded broker on this port. */
    brokerPort?: number;
  } = {},
): DemoSetup {
  const root = resolve(dir);
  const no = opts.terminal ?? 1;
  const own = no === 1 ? root : join(root, `terminal-${no}`);
  // --fresh on a second terminal starts that terminal afresh, not the shop the first one hosts.
  if (opts.fresh) rmSync(own, { recursive: true, force: true });
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
    terminal: {
      id: `DEMO-${String(no).padStart(2, "0")}`,
      store: "S001",
      storeName: "好邻居便利店 Good Neighbour",
      cashier: "demo",
    },
    merchant: { id: DEMO_MERCHANT, publicKey },
    locale: opts.locale ?? "zh-CN",
    dataDir: join(own, "data"),
    ...(opts.brokerPort
      ? { link: { url: `mqtt://127.0.0.1:${opts.brokerPort}`, keepaliveSeconds: 10 } }
      : {}),
    void: { windowMinutes: 30, managerPin: hashPin(DEMO_MANAGER_PIN) },
    printer: { kind: "file", dir: join(own, "receipts"), paperWidth: 58 },
    // info: the log file is where the demo shows what the terminal did (the screen is the window).
    log: { level: "info" },
  });
  const services: DemoServices | undefined = opts.brokerPort
    ? {
        brokerPort: opts.brokerPort,
        merchantDir: join(root, "merchant"),
        keyFile,
      }
    : undefined;
  return { config, signedList, dir: root, ...(services ? { services } : {}) };
}
