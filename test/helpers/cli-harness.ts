import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { hashPin } from "../../src/runtime/config/pin.js";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs the real CLI entry point in-process with captured output. The clock counts as not NTP
 * synchronised unless `more.synchronized` says so (this machine's own state must not decide a test);
 * stdin holds `more.stdin`.
 */
export async function quan(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  now = Date.now(),
  more: { synchronized?: boolean; stdin?: string } = {},
): Promise<CliRun> {
  let out = "";
  let err = "";
  const code = await main(args, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env,
    now: () => now,
    clockSynchronized: () => more.synchronized ?? false,
    stdin: async () => more.stdin ?? "",
  });
  return { code, out, err };
}

export interface Workspace {
  dir: string;
  config: string;
  data: string;
  key: string;
  publicKey: string;
}

/** A technician's setup: a merchant key, a terminal config pinning it, an empty data dir. */
export async function workspace(pin = "2468"): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), "quan-cli-"));
  const keysDir = join(dir, "keys");
  const gen = await quan(["keys", "generate", "--out", keysDir]);
  if (gen.code !== 0) throw new Error(gen.err);
  const publicKey = (gen.out.trim().split("\n").pop() as string).trim();
  const data = join(dir, "data");
  mkdirSync(data);
  const config = join(dir, "config.json");
  writeFileSync(
    config,
    JSON.stringify({
      terminal: { id: "T01", store: "S1", storeName: "测试店" },
      merchant: { id: "m-test", publicKey },
      dataDir: data,
      void: { managerPin: hashPin(pin) },
    }),
  );
  return { dir, config, data, key: join(keysDir, "merchant.key"), publicKey };
}

/**
 * The merchant signs a coupon list with the workspace's key: `document` goes to `list{suffix}.json`;
 * returns the path of the envelope, `signed{suffix}.json`.
 */
export async function signList(ws: Workspace, document: unknown, suffix = ""): Promise<string> {
  const listFile = join(ws.dir, `list${suffix}.json`);
  writeFileSync(listFile, JSON.stringify(document));
  const signed = join(ws.dir, `signed${suffix}.json`);
  const r = await quan(["coupons", "sign", "--key", ws.key, listFile, "--out", signed]);
  if (r.code !== 0) throw new Error(`coupons sign: exit ${r.code}: ${r.err}`);
  return signed;
}

/** The workspace's config as `change` makes it, written to `changed.json` (the next call overwrites it); returns its path. */
export function changedConfig(
  ws: Workspace,
  change: (c: Record<string, unknown>) => Record<string, unknown>,
): string {
  const file = join(ws.dir, "changed.json");
  writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(ws.config, "utf8")))));
  return file;
}
