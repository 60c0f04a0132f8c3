import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateMerchantKeys } from "../../protocol/envelope/index.js";
import { CliError, EXIT, type Io } from "../cli-error.js";

/** quan keys generate [--out DIR]: a merchant key pair; the private key never leaves the server. */
export function keysCommand(args: string[], io: Io): number {
  const [sub, ...rest] = args;
  if (sub !== "generate") throw new CliError("usage: quan keys generate [--out DIR]");
  const { values } = parseArgs({ args: rest, options: { out: { type: "string", default: "." } } });
  const dir = values.out as string;
  mkdirSync(dir, { recursive: true });
  const privatePath = join(dir, "merchant.key");
  if (existsSync(privatePath))
    throw new CliError(`${privatePath} exists: refusing to overwrite a merchant key`);
  const keys = generateMerchantKeys();
  writeFileSync(privatePath, keys.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, "merchant.pub"), `${keys.publicKey}\n`);
  io.out(`private key: ${privatePath} (keep it on the central server only)\n`);
  io.out(`public key (pin it in each terminal's config as merchant.publicKey):\n${keys.publicKey}\n`);
  return EXIT.ok;
}
