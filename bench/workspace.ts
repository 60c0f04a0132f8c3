import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateMerchantKeys, type MerchantKeyPair, signDocument } from "../src/protocol/envelope/index.js";
import { bigList, sortedCodeTable } from "./fixture.js";

/** Where the built bench runs from: dist/bench/. The CLI and the baseline child are run as processes. */
export const QUAN_BIN = resolve(import.meta.dirname, "../../bin/quan.js");
export const LOAD_CHILD = join(import.meta.dirname, "load-child.js");
export const STORE_NAME = "Bench Store";

/**
 * One temporary directory for the whole run (on the machine's disk, not tmpfs, so fdatasync and
 * bytes written mean what they mean on an SD card): a merchant key, signed lists, data dirs and a
 * terminal config for each. Removed by cleanup().
 */
export class Workspace {
  readonly root = mkdtempSync(join(tmpdir(), "quan-bench-"));
  readonly keys: MerchantKeyPair = generateMerchantKeys();

  /** A signed list of `codes` codes at `version`, written to a file (the text is not kept in memory). */
  signedList(codes: number, version: number): string {
    const file = join(this.root, `list-${codes}-v${version}.json`);
    const document = JSON.stringify(bigList(codes, version));
    writeFileSync(file, JSON.stringify(signDocument(document, this.keys.privateKeyPem)));
    return file;
  }

  /** The codes as a sorted fixed-width table: what a compact cache would read at start. */
  codeTable(codes: number): string {
    const file = join(this.root, `codes-${codes}.bin`);
    writeFileSync(file, sortedCodeTable(codes));
    return file;
  }

  /** A terminal config for a data dir under the workspace (created empty); returns the config path. */
  terminal(name: string): { config: string; dataDir: string } {
    const dataDir = join(this.root, name, "data");
    mkdirSync(dataDir, { recursive: true });
    const config = join(this.root, name, "config.json");
    writeFileSync(
      config,
      JSON.stringify({
        terminal: { id: "T01", store: "S1", storeName: STORE_NAME, cashier: "bench" },
        merchant: { id: "m-bench", publicKey: this.keys.publicKey },
        dataDir,
        printer: { kind: "none" },
        log: { level: "warn" },
      }),
    );
    return { config, dataDir };
  }

  /** The options CouponStore.open takes for a data dir (the same as the daemon's, from the config). */
  storeOptions(dataDir: string) {
    return {
      dataDir,
      terminal: "T01",
      store: "S1",
      merchant: { id: "m-bench", publicKey: this.keys.publicKey },
      clockToleranceMs: 300_000,
      voidWindowMs: 1_800_000,
    };
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
